using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Http;

namespace Portal.Web.Features.Encoders;

/// <summary>
/// Resumable uploads for very large checkpoints: the client creates a session, sends chunks at explicit offsets
/// (a dropped connection resumes from GET's offset instead of starting over), then completes it. The part file is hashed
/// once, streamed, at completion. Sessions live as files under the uploads folder, so they survive a server restart.
/// A session belongs to the account that created it (anyone else gets 404, as if it did not exist); one request at a time
/// writes, completes or deletes it (others get 409 with the state); idle sessions expire; open sessions and their declared
/// bytes are capped per account.
/// </summary>
public sealed class ResumableUploads(DataPaths paths, EncoderRegistry registry, IOptions<PortalOptions> options, TimeProvider clock)
{
    public sealed record Session(string Id, long Size, string? FileName, long Offset, DateTime ExpiresAt);

    private sealed record SessionFile(long Size, string? FileName, string Owner);

    // One writer per session in this process; another web process is kept out by the part file's exclusive open.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _busy = new();

    private UploadOptions Limits => options.Value.Uploads;
    private string PartPath(string id) => Path.Combine(paths.Uploads, id + ".part");
    private string MetaPath(string id) => Path.Combine(paths.Uploads, id + ".json");

    public Session Create(string owner, long size, string? fileName)
    {
        if (size <= 0) throw new ArgumentException("size must be positive (an empty file is not a checkpoint)");
        if (size > registry.MaxUploadBytes) throw new UploadTooLargeException(registry.MaxUploadBytes);
        if (fileName is { Length: > EncoderFields.MaxFileName }) throw new ArgumentException($"file_name is longer than {EncoderFields.MaxFileName} characters");
        ExpireIdle();
        var mine = Open().Where(s => s.Meta.Owner == owner).ToList();
        if (mine.Count >= Limits.MaxOpenSessionsPerUser)
            throw new QuotaExceededException($"you have {mine.Count} open upload sessions, the most allowed (Portal:Uploads:MaxOpenSessionsPerUser = {Limits.MaxOpenSessionsPerUser}): complete or delete one first");
        var declared = mine.Sum(s => s.Meta.Size);
        if (declared + size > Limits.MaxOpenBytesPerUser)
            throw new QuotaExceededException($"your open upload sessions would declare {declared + size} bytes, more than allowed (Portal:Uploads:MaxOpenBytesPerUser = {Limits.MaxOpenBytesPerUser} bytes)");
        var id = Guid.NewGuid().ToString("N");
        File.Create(PartPath(id)).Dispose();
        File.WriteAllText(MetaPath(id), JsonSerializer.Serialize(new SessionFile(size, fileName, owner)));
        return View(id, new SessionFile(size, fileName, owner));
    }

    /// <summary>The caller's session, or null when there is none (expired, completed, or someone else's).</summary>
    public Session? Get(string id, string owner) => Read(id, owner) is { } meta ? View(id, meta) : null;

    public async Task<Session> AppendAsync(string id, string owner, long offset, Stream body, CancellationToken ct)
    {
        var meta = Read(id, owner) ?? throw new KeyNotFoundException($"no upload session {id}");
        using var _ = Exclusive(id, "a chunk");
        await StreamingReceiver.AppendAsync(body, PartPath(id), offset, meta.Size, ct);
        return Get(id, owner) ?? throw new KeyNotFoundException($"no upload session {id}");
    }

    public async Task<RegistrationOutcome> CompleteAsync(string id, string owner, EncoderMetadata meta, CancellationToken ct)
    {
        var s = Read(id, owner) ?? throw new KeyNotFoundException($"no upload session {id}");
        meta = EncoderFields.Clean(meta); // a bad field must not cost the uploaded bytes: checked before anything moves
        using var _ = Exclusive(id, "completing");
        var offset = new FileInfo(PartPath(id)).Length;
        if (offset != s.Size) throw new StateConflictException($"upload incomplete: {offset} of {s.Size} bytes received", "incomplete");
        var sha = await StreamingReceiver.HashFileAsync(PartPath(id), ct);
        File.Delete(MetaPath(id));
        return await registry.RegisterReceivedFileAsync(PartPath(id), s.Size, sha, meta with { FileName = meta.FileName ?? s.FileName }, ct);
    }

    /// <summary>Deletes the caller's session; 404 for one that is not theirs, 409 while a request is writing it.</summary>
    public void Abort(string id, string owner)
    {
        if (Read(id, owner) == null) throw new KeyNotFoundException($"no upload session {id}");
        using var _ = Exclusive(id, "deleting");
        Delete(id);
    }

    /// <summary>Removes sessions idle for longer than Portal:Uploads:SessionHours (by the part file's last write).</summary>
    public int ExpireIdle()
    {
        var expired = 0;
        foreach (var (id, _) in Open())
        {
            if (LastWrite(id) + TimeSpan.FromHours(Limits.SessionHours) > clock.GetUtcNow().UtcDateTime) continue;
            if (!_busy.GetOrAdd(id, _ => new SemaphoreSlim(1, 1)).Wait(0)) continue; // being written: not idle
            try { Delete(id); expired++; }
            finally { _busy.TryRemove(id, out var sem); sem?.Release(); }
        }
        return expired;
    }

    private IEnumerable<(string Id, SessionFile Meta)> Open()
    {
        foreach (var path in Directory.EnumerateFiles(paths.Uploads, "*.json"))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            if (IsValidId(id) && ReadMeta(id) is { } meta) yield return (id, meta);
        }
    }

    private SessionFile? Read(string id, string owner)
    {
        if (!IsValidId(id) || ReadMeta(id) is not { } meta || meta.Owner != owner || !File.Exists(PartPath(id))) return null;
        return LastWrite(id) + TimeSpan.FromHours(Limits.SessionHours) > clock.GetUtcNow().UtcDateTime ? meta : null;
    }

    private SessionFile? ReadMeta(string id)
    {
        try { return JsonSerializer.Deserialize<SessionFile>(File.ReadAllText(MetaPath(id))); }
        catch (Exception e) when (e is IOException or JsonException) { return null; } // completed or deleted meanwhile
    }

    private Session View(string id, SessionFile meta) =>
        new(id, meta.Size, meta.FileName, File.Exists(PartPath(id)) ? new FileInfo(PartPath(id)).Length : 0, LastWrite(id) + TimeSpan.FromHours(Limits.SessionHours));

    private DateTime LastWrite(string id) => File.Exists(PartPath(id)) ? File.GetLastWriteTimeUtc(PartPath(id)) : DateTime.MinValue;

    private void Delete(string id)
    {
        StreamingReceiver.TryDelete(PartPath(id));
        StreamingReceiver.TryDelete(MetaPath(id));
    }

    private IDisposable Exclusive(string id, string what)
    {
        var sem = _busy.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        if (!sem.Wait(0)) throw new StateConflictException($"upload session {id} is busy: another request is writing, completing or deleting it; retry after it ends ({what} refused)", "busy");
        return new Release(sem);
    }

    private sealed class Release(SemaphoreSlim sem) : IDisposable
    {
        public void Dispose() => sem.Release();
    }

    private static bool IsValidId(string id) => id.Length == 32 && id.All(Uri.IsHexDigit);
}

