using System.Text.Json;
using Portal.Web.Configuration;

namespace Portal.Web.Encoders;

/// <summary>
/// Resumable uploads for very large checkpoints: the client creates a session, sends chunks at explicit offsets
/// (a dropped connection resumes from GET's offset instead of starting over), then completes it. The part file is hashed
/// once, streamed, at completion. Sessions live as files under the uploads folder, so they survive a server restart.
/// </summary>
public sealed class ResumableUploads(DataPaths paths, EncoderRegistry registry)
{
    public sealed record Session(string Id, long Size, string? FileName, long Offset);

    private sealed record SessionFile(long Size, string? FileName);

    private string PartPath(string id) => Path.Combine(paths.Uploads, id + ".part");
    private string MetaPath(string id) => Path.Combine(paths.Uploads, id + ".json");

    public Session Create(long size, string? fileName)
    {
        if (size <= 0) throw new ArgumentException("size must be positive (an empty file is not a checkpoint)");
        if (size > registry.MaxUploadBytes) throw new UploadTooLargeException(registry.MaxUploadBytes);
        var id = Guid.NewGuid().ToString("N");
        File.WriteAllText(MetaPath(id), JsonSerializer.Serialize(new SessionFile(size, fileName)));
        File.Create(PartPath(id)).Dispose();
        return new Session(id, size, fileName, 0);
    }

    public Session? Get(string id)
    {
        if (!IsValidId(id) || !File.Exists(MetaPath(id)) || !File.Exists(PartPath(id))) return null;
        var meta = JsonSerializer.Deserialize<SessionFile>(File.ReadAllText(MetaPath(id)))!;
        return new Session(id, meta.Size, meta.FileName, new FileInfo(PartPath(id)).Length);
    }

    public async Task<Session> AppendAsync(string id, long offset, Stream body, CancellationToken ct)
    {
        var s = Get(id) ?? throw new KeyNotFoundException($"no upload session {id}");
        await StreamingReceiver.AppendAsync(body, PartPath(id), offset, s.Size, ct);
        return Get(id)!;
    }

    public async Task<RegistrationOutcome> CompleteAsync(string id, EncoderMetadata meta, CancellationToken ct)
    {
        var s = Get(id) ?? throw new KeyNotFoundException($"no upload session {id}");
        if (s.Offset != s.Size) throw new InvalidOperationException($"upload incomplete: {s.Offset} of {s.Size} bytes received");
        var sha = await StreamingReceiver.HashFileAsync(PartPath(id), ct);
        File.Delete(MetaPath(id));
        return await registry.RegisterReceivedFileAsync(PartPath(id), s.Size, sha, meta with { FileName = meta.FileName ?? s.FileName }, ct);
    }

    public void Abort(string id)
    {
        if (!IsValidId(id)) return;
        StreamingReceiver.TryDelete(PartPath(id));
        StreamingReceiver.TryDelete(MetaPath(id));
    }

    private static bool IsValidId(string id) => id.Length == 32 && id.All(Uri.IsHexDigit);
}
