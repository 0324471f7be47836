using Portal.Engine.Images;
using Portal.Engine.Metric;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.TwoAfc;

/// <summary>
/// Decodes a batch of triplets into model input (N×3×H×W in [0,1] on the CPU), each image through the item's recipe
/// (or the model's). Items whose files cannot be decoded are returned as bad items, by path, and left out.
/// </summary>
public sealed class TwoAfcBatchImages : IDisposable
{
    public required IReadOnlyList<TwoAfcItem> Items { get; init; }
    public required Tensor Refs { get; init; }
    public required Tensor X0 { get; init; }
    public required Tensor X1 { get; init; }
    public required IReadOnlyList<BadItem> Bad { get; init; }
    /// <summary>The key of this batch's candidate embeddings (<see cref="CandidateEmbeddings.BatchKey"/>), hashed where the
    /// files are read (on the prefetch thread, off the attack's path); null without a cache.</summary>
    public string? CandidateKey { get; init; }

    public static TwoAfcBatchImages Load(IReadOnlyList<TwoAfcItem> batch, IPerceptualModel model, CandidateEmbeddings? candidates = null)
    {
        var good = new List<TwoAfcItem>();
        var bad = new List<BadItem>();
        var r = new List<Tensor>(); var a = new List<Tensor>(); var b = new List<Tensor>();
        using var scope = torch.NewDisposeScope();
        foreach (var item in batch)
        {
            var recipe = item.Recipe ?? model.Preprocessing;
            var loaded = new Tensor[3];
            var paths = new[] { item.RefPath, item.Path0, item.Path1 };
            bool ok = true;
            for (int k = 0; k < 3; k++)
            {
                try { loaded[k] = Resize.Apply(ImageIO.Load(paths[k]).unsqueeze(0), recipe); }
                catch (ImageDecodeException e) { bad.Add(new BadItem(item.Id, paths[k], e.Message)); ok = false; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { bad.Add(new BadItem(item.Id, paths[k], e.Message)); ok = false; }
            }
            if (!ok) continue;
            var shape = loaded[0].shape;
            if (r.Count > 0 && !r[0].shape.SequenceEqual(shape) || !loaded[1].shape.SequenceEqual(shape) || !loaded[2].shape.SequenceEqual(shape))
            {
                bad.Add(new BadItem(item.Id, item.RefPath, $"images of this triplet have input size {Shape(loaded[0])}/{Shape(loaded[1])}/{Shape(loaded[2])}, other items {(r.Count > 0 ? Shape(r[0]) : "-")}: the recipe must give one size"));
                continue;
            }
            good.Add(item); r.Add(loaded[0]); a.Add(loaded[1]); b.Add(loaded[2]);
        }
        // The batch owns its tensors (Dispose), whichever thread or dispose scope it was loaded in (the prefetch loads off the main thread).
        Tensor Cat(List<Tensor> l) => (l.Count > 0 ? torch.cat(l, 0) : torch.zeros(0, 3, 1, 1)).DetachFromDisposeScope();
        return new TwoAfcBatchImages
        {
            Items = good, Bad = bad, Refs = Cat(r), X0 = Cat(a), X1 = Cat(b),
            CandidateKey = candidates?.BatchKey(good, model.Device.ToString(), torch.get_num_threads()),
        };
    }

    private static string Shape(Tensor t) => $"{t.shape[2]}×{t.shape[3]}";

    public void Dispose() { Refs.Dispose(); X0.Dispose(); X1.Dispose(); }
}
