using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Inversion;

/// <summary>
/// The score of one cell of the paper's Table VII, for the CLI's <see cref="InversionTable"/> and the portal's gallery
/// cross-scores alike: reconstructions made with one encoder, scored by another as cos(ψ(reconstruction), ψ(original)),
/// each image resized by the scoring encoder's own recipe, averaged over a target's reconstructions (its seeds).
/// </summary>
public static class CrossScore
{
    /// <summary>Embeddings of images of any size, one at a time through the scorer's recipe (N×D, float32).</summary>
    public static Tensor EmbedEach(IImageEncoder scorer, IEnumerable<Tensor> images)
    {
        using var scope = torch.NewDisposeScope();
        var rows = images.Select(img => FeatureInversion.Embed(scorer, img.unsqueeze(0))).ToList();
        return torch.cat(rows, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per target t: the mean over the reconstructions of t of their cosine to <paramref name="originals"/>[t] (the
    /// scorer's embeddings of the originals); NaN for a target without reconstructions.
    /// </summary>
    public static double[] PerTarget(IImageEncoder scorer, Tensor originals, IReadOnlyList<(int Target, Tensor Image)> reconstructions)
    {
        var n = (int)originals.shape[0];
        var perTarget = Enumerable.Repeat(double.NaN, n).ToArray();
        if (reconstructions.Count == 0) return perTarget;
        using var scope = torch.NewDisposeScope();
        var emb = EmbedEach(scorer, reconstructions.Select(r => r.Image));
        var goal = originals.index_select(0, torch.tensor(reconstructions.Select(r => (long)r.Target).ToArray(), ScalarType.Int64).to(originals.device));
        var cos = FeatureInversion.Cosine(emb, goal).to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int t = 0; t < n; t++)
        {
            var mine = Enumerable.Range(0, reconstructions.Count).Where(q => reconstructions[q].Target == t).ToList();
            if (mine.Count > 0) perTarget[t] = mine.Average(q => cos[q]);
        }
        return perTarget;
    }
}
