using System.Text.Json;
using Portal.Engine.Images;

namespace Portal.Engine.Inversion;

/// <summary>Writes an inversion output folder: its PNGs and the <see cref="InversionIndex"/> that lists them.</summary>
public static class InversionIndexWriter
{
    /// <summary>The entry of a loaded encoder; <paramref name="checkpoint"/> is the file name shown, the sha256 is the caller's (hashing is I/O).</summary>
    public static InversionEncoderEntry EntryFor(string name, string checkpoint, string sha256, Encoders.IImageEncoder encoder) => new(
        name, checkpoint, sha256, encoder.Info.Architecture, encoder.Info.Details.TryGetValue("size", out var size) ? size : null,
        encoder.Info.EmbeddingDim, encoder.Info.Preprocessing.ImageHeight, encoder.Info.Preprocessing.ImageWidth);

    /// <summary>
    /// Writes the PNGs and index.json. <paramref name="targetImages"/> (3×H×W, [0,1]) are saved as `targets/&lt;id&gt;.png` when
    /// given (feature inversion); results index into <paramref name="targets"/>.
    /// </summary>
    public static InversionIndex Write(string folder, string kind, InversionEncoderEntry encoder, InversionSettings settings,
        IReadOnlyList<InversionTargetEntry> targets, IReadOnlyList<TorchSharp.torch.Tensor>? targetImages, IReadOnlyList<InversionResult> results, double wallSeconds)
    {
        Directory.CreateDirectory(Path.Combine(folder, "inversions"));
        var written = targets.ToList();
        if (targetImages is not null)
        {
            Directory.CreateDirectory(Path.Combine(folder, "targets"));
            for (int i = 0; i < targets.Count; i++)
            {
                var rel = $"targets/{targets[i].Id}.png";
                ImageIO.SavePng(targetImages[i], Path.Combine(folder, rel));
                written[i] = targets[i] with { Image = rel };
            }
        }
        var entries = new List<InversionResultEntry>();
        foreach (var r in results)
        {
            var rel = $"inversions/{targets[r.Target].Id}-seed{r.Seed}.png";
            ImageIO.SavePng(r.Image, Path.Combine(folder, rel));
            entries.Add(new InversionResultEntry(targets[r.Target].Id, r.Seed, rel, r.StartCosine, r.FinalCosine, r.DeltaL2));
        }
        var index = new InversionIndex(kind, InversionIndex.CurrentFormat, DateTime.UtcNow, encoder, InversionSettingsEntry.From(settings), written, entries, wallSeconds);
        File.WriteAllText(Path.Combine(folder, InversionIndex.FileName), JsonSerializer.Serialize(index, InversionIndex.Json));
        return index;
    }

}
