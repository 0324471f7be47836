using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Engine.Images;

namespace Portal.Engine.Inversion;

/// <summary>Which encoder produced a gallery.</summary>
public sealed record InversionEncoderEntry(string Name, string Checkpoint, string Sha256, string Architecture, string? Size, int EmbeddingDim, int ImageHeight, int ImageWidth)
{
    /// <summary>The entry of a loaded encoder; <paramref name="checkpoint"/> is the file name shown, the sha256 is the caller's (hashing is I/O).</summary>
    public static InversionEncoderEntry For(string name, string checkpoint, string sha256, Encoders.IImageEncoder encoder) => new(
        name, checkpoint, sha256, encoder.Info.Architecture, encoder.Info.Details.TryGetValue("size", out var size) ? size : null,
        encoder.Info.EmbeddingDim, encoder.Info.Preprocessing.ImageHeight, encoder.Info.Preprocessing.ImageWidth);
}

/// <summary>The protocol as run, so a page can print it next to the images.</summary>
public sealed record InversionSettingsEntry(string Optimizer, string Objective, string Norm, double Radius, int Iterations, double InitialStep,
    string Start, double Grey, double StartNoise, IReadOnlyList<int> Seeds)
{
    public static InversionSettingsEntry From(InversionSettings s) => new("APGD", "maximise cosine similarity to the target embedding", "l2",
        s.Radius, s.Iterations, s.InitialStepFactor * s.Radius, $"grey {s.Grey} + U[-{s.StartNoise:G6}, {s.StartNoise:G6}] per pixel, drawn from the seed",
        s.Grey, s.StartNoise, s.Seeds);
}

/// <summary>A target: an image (<see cref="Image"/> = the target as the encoder saw it) or a prompt.</summary>
public sealed record InversionTargetEntry(string Id)
{
    public string? Source { get; init; }
    public string? Image { get; init; }
    public string? Prompt { get; init; }
    public string? Cleaned { get; init; }
    public int? TokenCount { get; init; }
    public bool? Truncated { get; init; }
}

/// <summary>One reconstruction; <see cref="Image"/> is relative to the index file.</summary>
public sealed record InversionResultEntry(string Target, int Seed, string Image, double StartCosine, double FinalCosine, double DeltaL2);

/// <summary>
/// `index.json` of an inversion output folder: kind "features" or "text", the encoder, the settings and one entry per
/// (target, seed). Paths inside are relative to the folder: `targets/&lt;id&gt;.png`, `inversions/&lt;id&gt;-seed&lt;k&gt;.png`.
/// </summary>
public sealed record InversionIndex(string Kind, int FormatVersion, DateTime CreatedUtc, InversionEncoderEntry Encoder, InversionSettingsEntry Settings,
    IReadOnlyList<InversionTargetEntry> Targets, IReadOnlyList<InversionResultEntry> Results, double WallSeconds)
{
    public const int CurrentFormat = 1;
    public const string FileName = "index.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static InversionIndex Read(string path) =>
        JsonSerializer.Deserialize<InversionIndex>(File.ReadAllText(path), Json) ?? throw new FormatException($"{path}: empty inversion index");

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
        var index = new InversionIndex(kind, CurrentFormat, DateTime.UtcNow, encoder, InversionSettingsEntry.From(settings), written, entries, wallSeconds);
        File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(index, Json));
        return index;
    }

    /// <summary>A file-name-safe, unique id per name (letters, digits, '-', '_').</summary>
    public static List<string> Ids(IEnumerable<string> names)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ids = new List<string>();
        foreach (var n in names)
        {
            var s = new string(n.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray()).Trim('_');
            if (s.Length == 0) s = "item";
            if (s.Length > 60) s = s[..60];
            var id = s;
            for (int k = 2; !used.Add(id); k++) id = $"{s}-{k}";
            ids.Add(id);
        }
        return ids;
    }
}
