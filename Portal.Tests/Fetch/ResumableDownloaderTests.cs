using Portal.Engine.Fetch;
using Portal.Tests.Support;

namespace Portal.Tests.Fetch;

/// <summary>The downloader against a local server: ranges, resume, validators, checksums, size caps.</summary>
public class ResumableDownloaderTests
{
    private static FetchOptions Local(int attempts = 3, long max = FetchOptions.DefaultMaxBytes) =>
        new() { AllowedHosts = ["127.0.0.1"], MaxAttempts = attempts, MaxBytes = max, HeadersTimeout = TimeSpan.FromSeconds(20), ReadIdleTimeout = TimeSpan.FromSeconds(20) };

    private static Task<DownloadResult> Download(FetchOptions o, Uri url, string dest, string? sha = null)
    {
        var client = FetchHttp.CreateClient(o);
        return new ResumableDownloader(client, o).DownloadAsync(url, dest, sha, CancellationToken.None).ContinueWith(t => { client.Dispose(); return t; }).Unwrap();
    }

    [Fact]
    public async Task Downloads_and_always_reports_the_sha256()
    {
        var data = FetchTestData.Bytes(200_000);
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, data, "\"e1\""));
        using var dir = new FixturePaths.TempDir();
        var r = await Download(Local(), server.Url("/m.safetensors"), dir.File("m.safetensors"));
        Assert.Equal(FetchTestData.Sha(data), r.Sha256);
        Assert.Equal(data.Length, r.Bytes);
        Assert.Equal(data, File.ReadAllBytes(dir.File("m.safetensors")));
        Assert.False(File.Exists(dir.File("m.safetensors.part")));
        Assert.False(File.Exists(dir.File("m.safetensors.part.json")));
    }

    [Fact]
    public async Task A_connection_dropped_half_way_is_resumed_with_range_and_if_range()
    {
        var data = FetchTestData.Bytes(300_000);
        int n = 0;
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, data, "\"e1\"", dropAfter: Interlocked.Increment(ref n) == 1 ? 150_000 : null));
        using var dir = new FixturePaths.TempDir();
        var r = await Download(Local(), server.Url("/m.bin"), dir.File("m.bin"), FetchTestData.Sha(data));
        Assert.Equal(data, File.ReadAllBytes(dir.File("m.bin")));
        var reqs = server.Requests.ToArray();
        Assert.Equal(2, reqs.Length);
        Assert.Null(reqs[0].Header("range"));
        var range = reqs[1].Header("range");
        Assert.NotNull(range);
        var from = long.Parse(range!["bytes=".Length..].TrimEnd('-'));
        Assert.InRange(from, 1, 150_000);
        Assert.Equal(from, r.ResumedFrom);
        Assert.Equal("\"e1\"", reqs[1].Header("if-range"));
        Assert.Equal(2, r.Attempts);
    }

    [Fact]
    public async Task A_rerun_after_a_failed_run_resumes_from_the_part_file()
    {
        var data = FetchTestData.Bytes(300_000, 2);
        bool drop = true;
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, data, "\"e1\"", dropAfter: drop ? 100_000 : null));
        using var dir = new FixturePaths.TempDir();
        var dest = dir.File("m.bin");
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(Local(attempts: 1), server.Url("/m.bin"), dest));
        Assert.Contains("rerun to resume", e.Message);
        Assert.True(File.Exists(dest + ".part"));
        var partLen = new FileInfo(dest + ".part").Length;
        Assert.InRange(partLen, 1, 100_000);
        drop = false;
        var r = await Download(Local(attempts: 1), server.Url("/m.bin"), dest);
        Assert.Equal(FetchTestData.Sha(data), r.Sha256);
        Assert.Equal(partLen, r.ResumedFrom);
        Assert.Equal($"bytes={partLen}-", server.Requests.Last().Header("range"));
    }

    [Fact]
    public async Task A_changed_etag_makes_the_server_send_everything_and_the_download_restart()
    {
        var v1 = FetchTestData.Bytes(200_000, 3);
        var v2 = FetchTestData.Bytes(180_000, 4);
        bool changed = false;
        using var server = new LocalHttpServer(r => changed ? LocalHttpServer.ServeFile(r, v2, "\"v2\"") : LocalHttpServer.ServeFile(r, v1, "\"v1\"", dropAfter: 90_000));
        using var dir = new FixturePaths.TempDir();
        var dest = dir.File("m.bin");
        await Assert.ThrowsAsync<FetchException>(() => Download(Local(attempts: 1), server.Url("/m.bin"), dest));
        changed = true;
        var r = await Download(Local(attempts: 1), server.Url("/m.bin"), dest);
        Assert.Equal("\"v1\"", server.Requests.Last().Header("if-range"));
        Assert.Equal(0, r.ResumedFrom);
        Assert.Equal(v2, File.ReadAllBytes(dest)); // not v1's prefix glued to v2's tail
    }

    [Fact]
    public async Task A_wrong_checksum_deletes_the_part_and_names_both_hashes()
    {
        var data = FetchTestData.Bytes(50_000);
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, data, "\"e\""));
        using var dir = new FixturePaths.TempDir();
        var wrong = new string('a', 64);
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(Local(), server.Url("/m.bin"), dir.File("m.bin"), wrong));
        Assert.Contains(wrong, e.Message);
        Assert.Contains(FetchTestData.Sha(data), e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Content_length_over_the_limit_is_refused_before_the_body()
    {
        var data = FetchTestData.Bytes(100_000);
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, data, "\"e\""));
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(Local(max: 10_000), server.Url("/big.bin"), dir.File("big.bin")));
        Assert.Contains("over the limit", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_body_without_content_length_is_cut_when_the_running_count_passes_the_limit()
    {
        var data = FetchTestData.Bytes(500_000);
        using var server = new LocalHttpServer(_ => new Reply(200, data, OmitContentLength: true));
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(Local(max: 100_000), server.Url("/grow.bin"), dir.File("grow.bin")));
        Assert.Contains("more than the limit", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task A_rerun_of_a_finished_download_sends_nothing()
    {
        var data = FetchTestData.Bytes(10_000);
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, data, "\"e\""));
        using var dir = new FixturePaths.TempDir();
        await Download(Local(), server.Url("/m.bin"), dir.File("m.bin"));
        var again = await Download(Local(), server.Url("/m.bin"), dir.File("m.bin"), FetchTestData.Sha(data));
        Assert.True(again.AlreadyPresent);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_server_error_is_retried_and_a_404_is_not()
    {
        var data = FetchTestData.Bytes(10_000);
        int n = 0;
        using var server = new LocalHttpServer(r => r.Path == "/missing" ? new Reply(404, []) : Interlocked.Increment(ref n) == 1 ? new Reply(503, []) : LocalHttpServer.ServeFile(r, data, "\"e\""));
        using var dir = new FixturePaths.TempDir();
        var r = await Download(Local(), server.Url("/m.bin"), dir.File("m.bin"));
        Assert.Equal(2, r.Attempts);
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(Local(), server.Url("/missing"), dir.File("x.bin")));
        Assert.Contains("404", e.Message);
    }
}
