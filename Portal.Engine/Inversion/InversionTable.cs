using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Inversion;

/// <summary>
/// The paper's Table VII: each reference image is reconstructed with every encoder (rows), and every reconstruction is
/// scored by every encoder (columns) by <see cref="CrossScore"/>. Cells average over images and seeds. A robust encoder's reconstructions score well under other
/// encoders too; a clean encoder's score high only on its own diagonal (they match its features, not the image).
/// </summary>
public sealed class InversionTable : IDisposable
{
    public required IReadOnlyList<string> Encoders { get; init; }
    public required IReadOnlyList<string> Images { get; init; }
    /// <summary>[reconstructed with][scored by], mean over images and seeds.</summary>
    public required double[][] Mean { get; init; }
    /// <summary>[reconstructed with][scored by][image], mean over seeds.</summary>
    public required double[][][] PerImage { get; init; }
    /// <summary>Per encoder (row), its reconstructions (targets index <see cref="Images"/>).</summary>
    public required IReadOnlyList<List<InversionResult>> Reconstructions { get; init; }

    /// <param name="images">Originals, each 3×H×W in [0,1] (any size: each encoder resizes them by its recipe).</param>
    public static InversionTable Compute(IReadOnlyList<(string Name, IImageEncoder Encoder)> encoders, IReadOnlyList<(string Id, Tensor Image)> images,
        InversionSettings settings, Action<int, InversionProgress>? progress = null, CancellationToken ct = default)
    {
        if (encoders.Count == 0) throw new ArgumentException("the table needs at least one encoder");
        if (images.Count == 0) throw new ArgumentException("the table needs at least one reference image");
        int k = encoders.Count;
        var recon = new List<List<InversionResult>>();
        try
        {
            for (int i = 0; i < k; i++)
            {
                var enc = encoders[i].Encoder;
                using var targets = CrossScore.EmbedEach(enc, images.Select(x => x.Image));
                int row = i;
                recon.Add(FeatureInversion.Run(enc, targets, settings, p => progress?.Invoke(row, p), ct));
            }
            var perImage = new double[k][][];
            for (int i = 0; i < k; i++) perImage[i] = new double[k][];
            for (int j = 0; j < k; j++)
            {
                ct.ThrowIfCancellationRequested();
                var scorer = encoders[j].Encoder;
                using var originals = CrossScore.EmbedEach(scorer, images.Select(x => x.Image));
                for (int i = 0; i < k; i++)
                    perImage[i][j] = CrossScore.PerTarget(scorer, originals, recon[i].Select(r => (r.Target, r.Image)).ToList());
            }
            return new InversionTable
            {
                Encoders = encoders.Select(e => e.Name).ToList(),
                Images = images.Select(x => x.Id).ToList(),
                Mean = perImage.Select(r => r.Select(c => c.Average()).ToArray()).ToArray(),
                PerImage = perImage,
                Reconstructions = recon,
            };
        }
        catch
        {
            foreach (var r in recon.SelectMany(x => x)) r.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var r in Reconstructions.SelectMany(x => x)) r.Dispose();
    }
}
