using System.Text.Json;
using Portal.Engine.Checkpoints;
using Portal.Engine.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Metric;

/// <summary>
/// Batched embedding and similarity for a perceptual model, with an optional embedding cache.
/// sim(x1, x2) = model.Similarity(φ(x1), φ(x2)); for encoders that is the cosine, and d = sqrt(1 − sim).
/// </summary>
public sealed class PerceptualMetric(IPerceptualModel model, string modelKey, EmbeddingCache? cache = null, int batchSize = 32)
{
    public IPerceptualModel Model { get; } = model;

    /// <summary>Combines a checkpoint hash with the preprocessing recipe, so a changed recipe never reuses cached embeddings.</summary>
    public static string ModelKey(string checkpointSha256, IPerceptualModel model) =>
        checkpointSha256 + ":" + JsonSerializer.Serialize(model.Preprocessing);

    /// <summary>Embeds images from files (decoded, resized/cropped per the model's recipe) → N×D on the model's device.</summary>
    public Tensor EmbedFiles(IReadOnlyList<string> paths, CancellationToken ct = default)
    {
        var rows = new float[paths.Count][];
        var todo = new List<(int Index, string Hash, string Path)>();
        var duplicates = new List<(int Index, int Of)>();
        var firstByHash = new Dictionary<string, int>();
        for (int i = 0; i < paths.Count; i++)
        {
            var bytes = File.Exists(paths[i]) ? File.ReadAllBytes(paths[i]) : throw new ImageDecodeException($"image not found: {paths[i]}");
            var hash = FileHash.Sha256(bytes);
            if (firstByHash.TryGetValue(hash, out var of)) { duplicates.Add((i, of)); continue; }
            firstByHash[hash] = i;
            if (cache != null && cache.TryGet(modelKey, hash, out var e)) rows[i] = e;
            else todo.Add((i, hash, paths[i]));
        }
        for (int start = 0; start < todo.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = todo.Skip(start).Take(batchSize).ToList();
            using var scope = torch.NewDisposeScope();
            var batch = torch.cat(chunk.Select(c => Resize.Apply(ImageIO.Load(c.Path).unsqueeze(0), Model.Preprocessing)).ToList(), 0);
            float[][] emb;
            using (torch.no_grad())
                emb = ToRows(Model.Embed(batch.to(Model.Device)));
            for (int j = 0; j < chunk.Count; j++)
            {
                rows[chunk[j].Index] = emb[j];
                cache?.Put(modelKey, chunk[j].Hash, emb[j]);
            }
        }
        foreach (var (i, of) in duplicates) rows[i] = rows[of];
        return FromRows(rows, Model.Device);
    }

    /// <summary>Embeds a batch of pixels already at the model's input size, in chunks, without gradients.</summary>
    public Tensor EmbedPixels(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        var parts = new List<Tensor>();
        using (torch.no_grad())
            for (long s = 0; s < pixels.shape[0]; s += batchSize)
                parts.Add(Model.Embed(pixels[TensorIndex.Slice(s, Math.Min(s + batchSize, pixels.shape[0]))].to(Model.Device)));
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }

    public Tensor Similarity(Tensor embeddingsA, Tensor embeddingsB) => Model.Similarity(embeddingsA, embeddingsB);

    public Tensor Distance(Tensor embeddingsA, Tensor embeddingsB)
    {
        using var scope = torch.NewDisposeScope();
        return EncoderMetric.Distance(Model.Similarity(embeddingsA, embeddingsB)).MoveToOuterDisposeScope();
    }

    private static float[][] ToRows(Tensor t)
    {
        var flat = t.detach().cpu().to_type(ScalarType.Float32).reshape(t.shape[0], -1).contiguous();
        long d = flat.shape[1];
        var all = flat.data<float>().ToArray();
        var rows = new float[t.shape[0]][];
        for (int i = 0; i < rows.Length; i++) rows[i] = all.AsSpan(i * (int)d, (int)d).ToArray();
        return rows;
    }

    private static Tensor FromRows(float[][] rows, Device device)
    {
        if (rows.Length == 0) return torch.empty(0, 0);
        var d = rows[0].Length;
        var flat = new float[rows.Length * d];
        for (int i = 0; i < rows.Length; i++) rows[i].CopyTo(flat, i * d);
        return torch.tensor(flat, [rows.Length, d]).to(device);
    }
}
