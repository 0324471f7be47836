using Portal.Engine.Checkpoints;
using Portal.Engine.Metric;
using Portal.Engine.Progress;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Retrieval;

/// <summary>
/// L2-normalised embeddings φ̂ = φ/‖φ‖ (cosine similarity = dot product). Database and pool embeddings are computed
/// once per model and image content: they go through an <see cref="EmbeddingCache"/> keyed by the model key
/// (checkpoint sha256 + recipe, see <see cref="ModelKey"/>) and the sha256 of the image file, persisted on disk in a
/// folder the caller names, so a second run, or a run with another attack, does not re-embed the database.
/// </summary>
public sealed class RetrievalEmbeddings(IPerceptualModel model, string modelKey, EmbeddingCache? cache = null, int batchSize = 16)
{
    public IPerceptualModel Model { get; } = model;
    public string ModelKeyValue { get; } = modelKey;
    public int Computed { get; private set; }
    public int FromCache { get; private set; }

    /// <summary>A cache key that changes with the weights and with the input recipe.</summary>
    public static string ModelKey(string checkpointSha256, Encoders.Preprocessing recipe) =>
        checkpointSha256 + "|" + System.Text.Json.JsonSerializer.Serialize(recipe);

    /// <summary>Row-wise L2 normalisation of the flattened representation (differentiable).</summary>
    public static Tensor Normalize(Tensor embedding)
    {
        using var scope = torch.NewDisposeScope();
        var e = embedding.flatten(1).to(ScalarType.Float32);
        return nn.functional.normalize(e, p: 2, dim: 1, eps: 1e-12).MoveToOuterDisposeScope();
    }

    /// <summary>φ̂ of model-input pixels (differentiable).</summary>
    public Tensor Embed(Tensor pixels) => Normalize(Model.Embed(pixels));

    /// <summary>N×D φ̂ (float32, CPU) of the given images, cached per file content.</summary>
    public Tensor EmbedImages(IReadOnlyList<RetrievalImage> images, string phase, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var rows = new float[images.Count][];
        var hashes = new string?[images.Count];
        var todo = new List<int>();
        for (int i = 0; i < images.Count; i++)
        {
            // Cropped images (queries) are not cached: the crop is not part of the file's content hash.
            if (cache != null && images[i].Crop == null)
            {
                hashes[i] = FileHash.Sha256(images[i].Path);
                if (cache.TryGet(ModelKeyValue, hashes[i]!, out var e)) { rows[i] = e; FromCache++; continue; }
            }
            todo.Add(i);
        }
        int done = images.Count - todo.Count;
        progress?.Report(new EvaluationProgress(phase, done, images.Count, null, null, null));
        foreach (var chunk in todo.Chunk(Math.Max(batchSize, 1)))
        {
            ct.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var x = RetrievalImages.PrepareBatch(chunk.Select(i => images[i]).ToList(), Model.Preprocessing).to(Model.Device);
            Tensor e;
            using (torch.no_grad()) e = Embed(x).cpu();
            for (int j = 0; j < chunk.Length; j++)
            {
                var row = e[j].data<float>().ToArray();
                rows[chunk[j]] = row;
                if (cache != null && hashes[chunk[j]] is { } h) cache.Put(ModelKeyValue, h, row);
            }
            Computed += chunk.Length;
            done += chunk.Length;
            progress?.Report(new EvaluationProgress(phase, done, images.Count, null, null, null));
        }
        if (images.Count == 0) return torch.zeros(0, 0);
        int dim = rows[0].Length;
        var bad = Array.FindIndex(rows, r => r.Length != dim);
        if (bad >= 0) throw new InvalidOperationException($"embedding of {images[bad].Id} has {rows[bad].Length} values, expected {dim} (stale cache?)");
        return torch.tensor(rows.SelectMany(r => r).ToArray(), [images.Count, dim], ScalarType.Float32);
    }
}
