using System.Text;
using System.Text.Json;
using Portal.Engine.Checkpoints;
using Portal.Engine.Metric;

namespace Portal.Engine.TwoAfc;

/// <summary>
/// The clean embeddings of a batch's candidate images (x0, x1), kept across runs of one encoder on one dataset so the
/// clean, L∞ and L2 jobs embed them once. Keyed per batch, not per image: the key holds the model (checkpoint sha256
/// + recipe), the device, libtorch's thread count and every candidate file's sha256 in batch order, because a
/// float32 embedding can differ in its last bit with the batch it was computed in — so a hit returns exactly the
/// floats an uncached run computes, and numbers never change.
/// </summary>
public sealed class CandidateEmbeddings(EmbeddingCache cache, string modelKey)
{
    public EmbeddingCache Cache { get; } = cache;
    public string ModelKey { get; } = modelKey;

    /// <summary>The key of one batch (items in batch order, each with its own input recipe).</summary>
    public string BatchKey(IReadOnlyList<TwoAfcItem> items, string device, int threads)
    {
        var text = new StringBuilder().Append(device).Append('|').Append(threads).Append('|').Append(items.Count);
        foreach (var item in items)
            text.Append('|').Append(FileHash.Sha256(item.Path0)).Append(',').Append(FileHash.Sha256(item.Path1))
                .Append(',').Append(item.Recipe is { } r ? JsonSerializer.Serialize(r) : "model");
        return FileHash.Sha256(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
