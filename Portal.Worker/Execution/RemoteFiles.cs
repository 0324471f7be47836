using System.IO.Compression;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.Engine.Checkpoints;

namespace Portal.Worker.Execution;

/// <summary>
/// For a worker that does not mount the storage root (Portal:Worker:PortalUrl and Portal:Workers:Token set, and
/// Portal:Worker:SharedStorage=false, or a checkpoint path that is missing here): the checkpoint is fetched from the web into its own data folder (`remote-cache/`, by sha256, resumed with
/// HTTP ranges, checked against the recorded sha256), and a finished job's artifacts are sent back as a zip. Without
/// those settings every path is used as it is, and a missing file fails the job with its path and this worker's name.
/// </summary>
public sealed class RemoteFiles(IOptions<PortalOptions> options, DataPaths paths, WorkerIdentity me, ILogger<RemoteFiles> log)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromHours(6) };

    private string? PortalUrl => options.Value.Worker.PortalUrl?.TrimEnd('/');
    private string? Token => options.Value.Workers.Token;
    public bool Enabled => !string.IsNullOrEmpty(PortalUrl) && !string.IsNullOrEmpty(Token);
    /// <summary>This worker works on copies: it does not mount the storage root (Portal:Worker:SharedStorage=false).</summary>
    private bool Remote => Enabled && !options.Value.Worker.SharedStorage;

    /// <summary>A local path of the encoder's checkpoint: its own when this worker sees it, else a fetched copy.</summary>
    public string? LocalCheckpoint(EncoderRecord e)
    {
        if (e.StoragePath == null || e.IsBuiltin || BuiltinModels.IsBuiltin(e.StoragePath)) return e.StoragePath;
        // A shared root is read in place; a path that is missing there can still be fetched when the web is known.
        if (!Remote && File.Exists(e.StoragePath)) return e.StoragePath;
        if (!Enabled || e.Sha256 == null)
            throw new FileNotFoundException($"the checkpoint file {e.StoragePath} is missing on worker {me.Name} (mount the storage root here, or set Portal:Worker:PortalUrl and Portal:Workers:Token to fetch it from the web)");
        var dir = Path.Combine(paths.Root, "remote-cache");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, e.Sha256 + ".ckpt");
        if (File.Exists(path)) return path;
        var part = path + ".part";
        for (var attempt = 1; ; attempt++)
        {
            try { Download($"{PortalUrl}/api/worker/encoders/{e.Id}/checkpoint", part); break; }
            catch (HttpRequestException x) when (attempt < 5)
            {
                log.LogWarning("fetching the checkpoint of encoder {Id} failed ({Message}); resuming (attempt {N})", e.Id, x.Message, attempt + 1);
                Thread.Sleep(TimeSpan.FromSeconds(attempt));
            }
            catch (IOException x) when (attempt < 5)
            {
                log.LogWarning("fetching the checkpoint of encoder {Id} broke off ({Message}); resuming (attempt {N})", e.Id, x.Message, attempt + 1);
                Thread.Sleep(TimeSpan.FromSeconds(attempt));
            }
        }
        var sha = FileHash.Sha256(part);
        if (sha != e.Sha256)
        {
            File.Delete(part);
            throw new InvalidDataException($"the checkpoint fetched from {PortalUrl} for encoder {e.Id} has sha256 {sha}, the portal recorded {e.Sha256}");
        }
        File.Move(part, path, overwrite: true);
        log.LogInformation("fetched the checkpoint of encoder {Id} ({Bytes} bytes) from the web", e.Id, new FileInfo(path).Length);
        return path;
    }

    private void Download(string url, string part)
    {
        var have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (have > 0) req.Headers.Range = new RangeHeaderValue(have, null);
        using var resp = Http.Send(req, HttpCompletionOption.ResponseHeadersRead);
        if (resp.StatusCode == System.Net.HttpStatusCode.RequestedRangeNotSatisfiable) return; // already whole
        resp.EnsureSuccessStatusCode();
        var append = have > 0 && resp.StatusCode == System.Net.HttpStatusCode.PartialContent;
        using var body = resp.Content.ReadAsStream();
        using var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write);
        body.CopyTo(file, 1 << 20);
    }

    /// <summary>This worker does not mount the storage root: what it downloads or writes must be sent to the web.</summary>
    public bool WorksOnCopies => Remote;

    /// <summary>
    /// Sends a checkpoint this worker imported to the web, which hashes it again, stores it and points encoder
    /// <paramref name="encoderId"/> at it; the worker keeps its copy in the cache, where <see cref="LocalCheckpoint"/> finds it.
    /// </summary>
    public string SendImportedCheckpoint(int encoderId, string file, string sha256)
    {
        using (var req = new HttpRequestMessage(HttpMethod.Put, $"{PortalUrl}/api/worker/encoders/{encoderId}/checkpoint?sha256={sha256}"))
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var content = new StreamContent(File.OpenRead(file), 1 << 20);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            req.Content = content;
            using var resp = Http.Send(req);
            if (!resp.IsSuccessStatusCode)
                throw new InvalidDataException($"the web refused the imported checkpoint of encoder {encoderId}: {(int)resp.StatusCode} {resp.Content.ReadAsStringAsync().Result}");
        }
        var dir = Path.Combine(paths.Root, "remote-cache");
        Directory.CreateDirectory(dir);
        var cached = Path.Combine(dir, sha256 + ".ckpt");
        File.Move(file, cached, overwrite: true);
        return cached;
    }

    /// <summary>Sends a finished job's folder to the web (only when this worker does not share the storage root).</summary>
    public void SendArtifacts(int jobId, string folder)
    {
        if (!Remote || !Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any()) return;
        var zip = Path.Combine(Path.GetTempPath(), $"portal-artifacts-{jobId}-{Guid.NewGuid():N}.zip");
        try
        {
            ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
            using var req = new HttpRequestMessage(HttpMethod.Put, $"{PortalUrl}/api/worker/jobs/{jobId}/artifacts");
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var content = new StreamContent(File.OpenRead(zip));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            req.Content = content;
            using var resp = Http.Send(req);
            if (!resp.IsSuccessStatusCode)
                throw new InvalidOperationException($"the web refused the artifacts of job {jobId}: {(int)resp.StatusCode} {resp.Content.ReadAsStringAsync().Result}");
        }
        finally { try { File.Delete(zip); } catch (IOException) { } }
    }
}
