using System.Net;
using System.Security.Cryptography;

namespace Portal.Engine.Fetch;

/// <summary>
/// Downloads one URL to a file through DEST.part (+ DEST.part.json): a dropped connection or a restart resumes with
/// "Range: bytes=N-" and "If-Range: validator"; 206 appends, 200 (range ignored or the file changed) restarts from 0.
/// The size cap is enforced on the announced length and on the running count; the sha256 is always computed and,
/// when expected, compared before the file takes its final name.
/// </summary>
public sealed class ResumableDownloader(HttpClient client, FetchOptions options)
{
    private const int BufferSize = 1 << 16;

    public async Task<DownloadResult> DownloadAsync(Uri url, string destination, string? expectedSha256, CancellationToken ct)
    {
        FetchHttp.CheckScheme(url);
        expectedSha256 = expectedSha256?.Trim().ToLowerInvariant();
        destination = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var part = destination + ".part";

        if (File.Exists(destination) && !File.Exists(part))
        {
            // A finished file: rerunning does nothing but re-hash it (and compare, if a hash is expected).
            var have = Hash(destination);
            if (expectedSha256 == null || have == expectedSha256)
                return new DownloadResult(destination, new FileInfo(destination).Length, have, url.AbsoluteUri, url.AbsoluteUri, true, 0, 0);
            throw new FetchException($"{destination} exists with sha256 {have}, expected {expectedSha256}; remove it to fetch again");
        }

        var sidecar = PartSidecar.TryRead(part);
        if (File.Exists(part) && (sidecar == null || sidecar.Url != url.AbsoluteUri || sidecar.Validator == null))
        {
            File.Delete(part); // not provably a prefix of this URL's bytes
            sidecar = null;
        }

        Exception? last = null;
        long resumedFrom = 0;
        for (int attempt = 1; attempt <= Math.Max(1, options.MaxAttempts); attempt++)
        {
            try
            {
                var (finalUrl, from) = await TryOnceAsync(url, part, sidecar, ct);
                resumedFrom = from;
                var sha = Hash(part);
                var bytes = new FileInfo(part).Length;
                if (expectedSha256 != null && sha != expectedSha256)
                {
                    Discard(part);
                    throw new FetchException($"sha256 mismatch for {FetchHttp.Redact(url)}: expected {expectedSha256}, got {sha} ({bytes} bytes); the partial file was deleted");
                }
                File.Move(part, destination, overwrite: true);
                File.Delete(PartSidecar.PathFor(part));
                return new DownloadResult(destination, bytes, sha, url.AbsoluteUri, finalUrl.AbsoluteUri, false, attempt, resumedFrom);
            }
            catch (Exception e) when (IsTransient(e) && !ct.IsCancellationRequested)
            {
                last = e;
                sidecar = PartSidecar.TryRead(part);
                if (attempt < options.MaxAttempts) await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
        }
        throw new FetchException($"download of {FetchHttp.Redact(url)} failed after {options.MaxAttempts} tries ({last?.Message}); rerun to resume from {(File.Exists(part) ? new FileInfo(part).Length : 0)} bytes", last);
    }

    /// <summary>One request. Returns the URL the bytes came from and the offset it resumed at (0 = from scratch).</summary>
    private async Task<(Uri FinalUrl, long From)> TryOnceAsync(Uri url, string part, PartSidecar? sidecar, CancellationToken ct)
    {
        long have = File.Exists(part) && sidecar?.Validator != null ? new FileInfo(part).Length : 0;
        var (resp, finalUrl) = await FetchHttp.SendAsync(client, url, options, req =>
        {
            if (have > 0)
            {
                req.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(have, null);
                req.Headers.TryAddWithoutValidation("If-Range", sidecar!.Validator);
            }
        }, null, ct);
        using (resp)
        {
            long start;
            long? total;
            if (resp.StatusCode == HttpStatusCode.PartialContent && have > 0)
            {
                var range = resp.Content.Headers.ContentRange;
                if (range?.From != have) throw new FetchException($"server answered range {range} to a request for bytes {have}-");
                start = have;
                total = range.Length ?? (resp.Content.Headers.ContentLength is long cl ? have + cl : null);
            }
            else if (resp.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0 && sidecar?.ExpectedSize == have)
            {
                return (finalUrl, have); // the .part already holds every byte
            }
            else if (resp.StatusCode == HttpStatusCode.OK)
            {
                start = 0; // fresh, or the server ignored the range / the validator changed: the old prefix is void
                total = resp.Content.Headers.ContentLength;
            }
            else
            {
                var code = (int)resp.StatusCode;
                var msg = $"{FetchHttp.Redact(finalUrl)} answered {code} {resp.ReasonPhrase}";
                if (code >= 500 || code == 408 || code == 429) throw new HttpRequestException(msg); // worth another try
                if (code == 416) { Discard(part); throw new HttpRequestException(msg + " (the partial file was discarded)"); }
                throw new FetchException(msg);
            }
            if (total > options.MaxBytes)
            {
                Discard(part);
                throw new FetchException($"{FetchHttp.Redact(finalUrl)} is {total} bytes, over the limit of {options.MaxBytes} (--max-bytes)");
            }
            var etag = resp.Headers.ETag?.ToString();
            var lastModified = resp.Content.Headers.LastModified?.ToString("R");
            // Strong validators only: a weak ETag may not be used with If-Range.
            if (etag != null && resp.Headers.ETag!.IsWeak) etag = null;
            new PartSidecar(url.AbsoluteUri, etag, lastModified, total).Write(part);

            await using var body = await resp.Content.ReadAsStreamAsync(ct);
            await using var file = new FileStream(part, start == 0 ? FileMode.Create : FileMode.Open, FileAccess.Write, FileShare.None, BufferSize);
            if (start > 0) { file.SetLength(start); file.Position = start; }
            var buffer = new byte[BufferSize];
            long count = start;
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            while (true)
            {
                idle.CancelAfter(options.ReadIdleTimeout);
                int n;
                try { n = await body.ReadAsync(buffer, idle.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw new TimeoutException($"no data from {FetchHttp.Redact(finalUrl)} for {options.ReadIdleTimeout.TotalSeconds:0}s"); }
                if (n == 0) break;
                count += n;
                if (count > options.MaxBytes)
                {
                    file.Close();
                    Discard(part);
                    throw new FetchException($"{FetchHttp.Redact(finalUrl)} sent more than the limit of {options.MaxBytes} bytes (--max-bytes); stopped at {count}");
                }
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                options.Progress?.Invoke(count, total);
            }
            if (total is long t && count != t) throw new IOException($"connection ended at {count} of {t} bytes");
            return (finalUrl, start);
        }
    }

    private static bool IsTransient(Exception e) => e is IOException or HttpRequestException or TimeoutException && e is not FetchException;

    private static void Discard(string part)
    {
        try { File.Delete(part); File.Delete(PartSidecar.PathFor(part)); } catch (IOException) { }
    }

    public static string Hash(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
