using System.Collections.Concurrent;

namespace Portal.Engine.Metric;

/// <summary>
/// Embeddings keyed by (model key, image content hash). The model key combines the checkpoint's sha256 with the
/// preprocessing recipe, so the same image under another recipe or checkpoint never hits a stale entry.
/// Bounded in memory; optionally persisted as one small file per embedding under a folder.
/// </summary>
public sealed class EmbeddingCache(int capacity = 100_000, string? folder = null)
{
    private readonly ConcurrentDictionary<(string Model, string Image), float[]> _memory = new();
    private readonly ConcurrentQueue<(string, string)> _order = new();

    public int Count => _memory.Count;
    public long Hits;
    public long Misses;

    public bool TryGet(string modelKey, string imageHash, out float[] embedding)
    {
        if (_memory.TryGetValue((modelKey, imageHash), out embedding!)) { Interlocked.Increment(ref Hits); return true; }
        if (folder != null)
        {
            var p = FilePath(modelKey, imageHash);
            if (File.Exists(p))
            {
                var bytes = File.ReadAllBytes(p);
                if (bytes.Length % 4 == 0)
                {
                    embedding = new float[bytes.Length / 4];
                    Buffer.BlockCopy(bytes, 0, embedding, 0, bytes.Length);
                    Remember(modelKey, imageHash, embedding);
                    Interlocked.Increment(ref Hits);
                    return true;
                }
            }
        }
        Interlocked.Increment(ref Misses);
        embedding = [];
        return false;
    }

    public void Put(string modelKey, string imageHash, float[] embedding)
    {
        Remember(modelKey, imageHash, embedding);
        if (folder != null)
        {
            var p = FilePath(modelKey, imageHash);
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            var bytes = new byte[embedding.Length * 4];
            Buffer.BlockCopy(embedding, 0, bytes, 0, bytes.Length);
            var tmp = p + "." + Environment.CurrentManagedThreadId + ".tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, p, overwrite: true);
        }
    }

    private void Remember(string modelKey, string imageHash, float[] embedding)
    {
        if (_memory.TryAdd((modelKey, imageHash), embedding)) _order.Enqueue((modelKey, imageHash));
        while (_memory.Count > capacity && _order.TryDequeue(out var old)) _memory.TryRemove(old, out _);
    }

    private string FilePath(string modelKey, string imageHash) =>
        Path.Combine(folder!, Safe(modelKey), imageHash[..2], imageHash + ".f32");

    private static string Safe(string key) => Checkpoints.FileHash.Sha256(System.Text.Encoding.UTF8.GetBytes(key))[..32];
}
