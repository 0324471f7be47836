using System.Net;

namespace Portal.Engine.Fetch;

/// <summary>The outcome of `portal fetch`: the download, plus the hub file and revision when the source was a hub id.</summary>
public sealed record CheckpointFetchResult(DownloadResult Download, string? HubFile, string? Revision);

/// <summary>
/// Fetches a checkpoint by URL or hub id into a folder. For a hub id without a file, each open_clip candidate is
/// probed with a HEAD (following redirects) and the first that exists is downloaded; a 404 moves to the next.
/// </summary>
public sealed class CheckpointFetcher(FetchOptions options, string? hubBaseUrl = null)
{
    public async Task<CheckpointFetchResult> FetchAsync(string source, string toDir, string? expectedSha256, string? revision, CancellationToken ct)
    {
        using var client = FetchHttp.CreateClient(options);
        var downloader = new ResumableDownloader(client, options);
        if (!HubSource.IsHub(source))
        {
            if (revision != null) throw new FetchException("--revision applies to hf-hub: sources only");
            if (!Uri.TryCreate(source, UriKind.Absolute, out var url)) throw new FetchException($"not a URL or hf-hub: id: {source}");
            FetchHttp.CheckScheme(url);
            var name = FileNameOf(url);
            var result = await downloader.DownloadAsync(url, Path.Combine(toDir, name), expectedSha256, ct);
            return new CheckpointFetchResult(result, null, null);
        }

        var hub = HubSource.Parse(source);
        var rev = revision ?? HubSource.DefaultRevision;
        var tried = new List<string>();
        foreach (var file in hub.Candidates)
        {
            var url = hub.ResolveUrl(file, rev, hubBaseUrl);
            // A finished or partial file of this candidate: skip the probe and let the downloader decide.
            var dest = Path.Combine(toDir, hub.Repo.Replace('/', '_'), Path.GetFileName(file));
            if (hub.File == null && !File.Exists(dest) && !File.Exists(dest + ".part") && !await ExistsAsync(client, url, ct))
            {
                tried.Add(file);
                continue;
            }
            var result = await downloader.DownloadAsync(url, dest, expectedSha256, ct);
            return new CheckpointFetchResult(result, file, rev);
        }
        throw new FetchException($"{hub.Repo} at revision {rev} has none of {string.Join(", ", tried)} (name the file: hf-hub:{hub.Repo}/FILE)");
    }

    private async Task<bool> ExistsAsync(HttpClient client, Uri url, CancellationToken ct)
    {
        var (resp, final) = await FetchHttp.SendAsync(client, url, options, null, HttpMethod.Head, ct);
        using (resp)
        {
            if (resp.IsSuccessStatusCode) return true;
            if (resp.StatusCode == HttpStatusCode.NotFound) return false;
            throw new FetchException($"{FetchHttp.Redact(final)} answered {(int)resp.StatusCode} {resp.ReasonPhrase}" +
                (resp.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? " (a gated or private repo needs a token: HF_TOKEN or --token-env)" : ""));
        }
    }

    private static string FileNameOf(Uri url)
    {
        var name = Uri.UnescapeDataString(url.Segments.LastOrDefault() ?? "").Trim('/');
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('\\'))
            throw new FetchException($"cannot name a file after {FetchHttp.Redact(url)}; give a URL ending in a file name");
        return name;
    }
}
