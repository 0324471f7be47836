using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Portal.Data.Accounts;
using Portal.Engine.Fetch;
using Portal.Tests.Fetch;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Datasets;

/// <summary>
/// An admin fetches a dataset by name through the portal: a worker downloads it from the tests' own HTTP server (in the
/// official path layout, rebased), checks and extracts it, and registers it as a benchmark in the same step.
/// </summary>
public sealed class DatasetFetchPortalTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new(), _source = new();
    private readonly Dictionary<string, byte[]> _files = [];
    private readonly LocalHttpServer _server;

    public DatasetFetchPortalTests()
    {
        _server = new LocalHttpServer(r => _files.TryGetValue(r.Path, out var b) ? LocalHttpServer.ServeFile(r, b, "\"" + FetchTestData.Sha(b)[..16] + "\"") : new Reply(404, []));
    }

    /// <summary>nights.zip as DreamSim publishes it (one nights/ folder), holding a real, loadable NIGHTS-layout set.</summary>
    private byte[] NightsZip(int count)
    {
        var folder = PortalTestData.Nights(_source, count: count, size: 32, seed: 5);
        var zip = Path.Combine(_source.Path, $"nights-{count}.zip");
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
            foreach (var f in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
                z.CreateEntryFromFile(f, "nights/" + Path.GetRelativePath(folder, f).Replace('\\', '/'));
        return File.ReadAllBytes(zip);
    }

    private PortalHost Host() => new(_dir.Path, new Dictionary<string, string?>
    {
        ["Portal:Imports:DatasetBaseUrl"] = _server.BaseUrl,
        ["Portal:Imports:AllowedHosts:0"] = "127.0.0.1",
    });

    private static async Task<JsonElement> Finished(PortalHost host, HttpClient api, JsonElement accepted) =>
        await host.WaitFor(api, $"/api/datasets/fetches/{accepted.GetProperty("id").GetInt32()}",
            f => f.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromMinutes(2));

    [Fact]
    public async Task An_admin_fetches_nights_by_name_and_it_is_registered_as_a_benchmark_in_one_step()
    {
        _files["/nights/nights.zip"] = NightsZip(12);
        using var host = Host();
        using var admin = await host.ApiAs(Roles.Admin);

        var catalog = await host.GetJson(admin, "/api/datasets/catalog");
        Assert.Equal(["nights", "bapps", "roxford5k", "rparis6k"], catalog.EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToArray());
        Assert.Equal("https://data.csail.mit.edu/nights/nights.zip", catalog[0].GetProperty("files")[0].GetProperty("url").GetString());

        var accepted = await host.PostJson(admin, "/api/datasets/fetches", new { name = "NIGHTS" }, 202);
        Assert.Equal("nights", accepted.GetProperty("dataset").GetString());
        var done = await Finished(host, admin, accepted);
        Assert.True(done.GetProperty("status").GetString() == "succeeded", done.ToString());
        var root = Path.Combine(_dir.Path, "datasets", "nights");
        Assert.Equal(root, done.GetProperty("root").GetString());
        Assert.True(File.Exists(Path.Combine(root, DatasetFetcher.CompleteMarker)));
        Assert.True(File.Exists(Path.Combine(root, "data.csv")));
        var pinned = JsonDocument.Parse(done.GetProperty("files_json").GetString()!).RootElement;
        Assert.Equal(FetchTestData.Sha(_files["/nights/nights.zip"]), pinned[0].GetProperty("sha256").GetString());
        Assert.Contains(FetchTestData.Sha(_files["/nights/nights.zip"]), await File.ReadAllTextAsync(Path.Combine(_dir.Path, "datasets", DatasetFetcher.ChecksumsFile)));

        var benchId = done.GetProperty("benchmark_id").GetInt32();
        var bench = await host.GetJson(admin, $"/api/benchmarks/{benchId}");
        Assert.Equal("nights", bench.GetProperty("name").GetString());
        Assert.Equal("2afc", bench.GetProperty("task_kind").GetString());
        Assert.Equal(12, bench.GetProperty("item_count").GetInt32());

        // Registered once: asking again names the benchmark instead of fetching twice.
        var again = await host.PostJson(admin, "/api/datasets/fetches", new { name = "nights" }, 409);
        Assert.Contains($"benchmark {benchId}", again.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_broken_archive_fails_with_its_reason_registers_nothing_and_a_retry_after_the_fix_succeeds()
    {
        _files["/nights/nights.zip"] = FetchTestData.Zip(("nights/readme.txt", "not the dataset"));
        using var host = Host();
        using var admin = await host.ApiAs(Roles.Admin);
        var failed = await Finished(host, admin, await host.PostJson(admin, "/api/datasets/fetches", new { name = "nights" }, 202));
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("data.csv", failed.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("benchmark_id").ValueKind);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "datasets", "nights")));
        Assert.Equal(0, (await host.GetJson(admin, "/api/benchmarks")).GetArrayLength());

        _files["/nights/nights.zip"] = NightsZip(8);
        var ok = await Finished(host, admin, await host.PostJson(admin, "/api/datasets/fetches", new { name = "nights" }, 202));
        Assert.True(ok.GetProperty("status").GetString() == "succeeded", ok.ToString());
    }

    [Fact]
    public async Task Only_admins_fetch_datasets_and_only_known_names()
    {
        using var host = Host();
        using var admin = await host.ApiAs(Roles.Admin);
        var unknown = await host.PostJson(admin, "/api/datasets/fetches", new { name = "../../etc" }, 400);
        Assert.Contains("unknown dataset", unknown.GetProperty("error").GetString());
        await host.PostJson(admin, "/api/datasets/fetches", new { name = (string?)null }, 400);
        using var researcher = await host.ApiAs(Roles.Researcher);
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.PostAsync("/api/datasets/fetches", System.Net.Http.Json.JsonContent.Create(new { name = "nights" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.GetAsync("/api/datasets/fetches")).StatusCode);
        using var anonymous = host.Api();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/datasets/catalog")).StatusCode);
        Assert.Empty(_server.Requests);
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
        _source.Dispose();
    }
}
