using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Worker;

/// <summary>
/// A worker that does not mount the storage root (its own data folder, the shared PostgreSQL database) fetches the
/// checkpoint from the web with the worker token, validates and evaluates it; the worker endpoints take that token only.
/// </summary>
public sealed class RemoteWorkerFilesTests : IDisposable
{
    private const string Token = "worker-secret-for-tests";
    private readonly FixturePaths.TempDir _web = new(), _worker = new(), _datasets = new();
    private readonly TestDatabase _db = new();

    public void Dispose()
    {
        _db.Dispose();
        _web.Dispose();
        _worker.Dispose();
        _datasets.Dispose();
    }

    private Dictionary<string, string?> Shared() => new()
    {
        ["Portal:Database:Provider"] = "postgres",
        ["Portal:Database:ConnectionString"] = _db.ConnectionString,
        ["Portal:Demo:Enabled"] = "false",
        ["Portal:Workers:Local"] = "0",
        ["Portal:Workers:Token"] = Token,
        ["Portal:Worker:PollSeconds"] = "0.2",
        ["Portal:Worker:BatchSize"] = "4",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    [PostgresFact]
    public async Task A_worker_without_the_storage_root_fetches_checkpoints_with_the_worker_token_only()
    {
        var web = Shared();
        web["Portal:DataRoot"] = _web.Path;
        using var host = new PortalHost(_web.Path, web, processWorkers: true, kestrel: true);
        var worker = Shared();
        worker["Portal:DataRoot"] = _worker.Path;
        worker["Portal:Worker:PortalUrl"] = host.BaseUrl;
        worker["Portal:Worker:SharedStorage"] = "false"; // one machine here: the web's paths exist, the worker must not use them
        using var proc = PortalProcess.InProcessWorker("remote-1", worker);
        using var admin = await host.ApiAs(Roles.Admin);

        var up = await admin.PostAsync("/api/encoders/upload?name=remote-clip", CheckpointContent.Of(await File.ReadAllBytesAsync(PortalTestData.FixtureCheckpoint())));
        var id = (await PortalHost.ReadJson(up)).GetProperty("encoder").GetProperty("id").GetInt32();
        var enc = await host.WaitFor(admin, $"/api/encoders/{id}", e => e.GetProperty("status").GetString() != "validating", TimeSpan.FromMinutes(2));
        Assert.True(enc.GetProperty("status").GetString() == "ready", enc + "\n" + proc.Log);
        Assert.Single(Directory.GetFiles(Path.Combine(_worker.Path, "remote-cache"), "*.ckpt"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_worker.Path, "checkpoints")));

        var bench = await host.PostJson(admin, "/api/benchmarks", new { name = "tiny", dataset_root = PortalTestData.Nights(_datasets, count: 8, size: 32), format = "nights", split = "test" }, 201);
        var job = await host.PostJson(admin, "/api/jobs", new { encoder_id = id, benchmark_id = bench.GetProperty("id").GetInt32(), presets = new[] { "clean" } }, 201);
        var end = await host.WaitForJobEnd(admin, job[0].GetProperty("job").GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
        Assert.True(end.GetProperty("status").GetString() == "succeeded", end + "\n" + proc.Log);
        Assert.Equal("remote-1", end.GetProperty("worker_id").GetString());

        // The worker endpoints: the worker token and nothing else.
        var url = $"{host.BaseUrl}/api/worker/encoders/{id}/checkpoint";
        using var plain = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await plain.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync($"/api/worker/encoders/{id}/checkpoint")).StatusCode); // a user token is no worker token
        using var wrong = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "guess") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await plain.SendAsync(wrong)).StatusCode);

        // Artifacts come back as a zip unpacked into the job's folder only.
        var jobId = end.GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.OK, (await PutZip(plain, host.BaseUrl, jobId, ("evidence/index.json", "{}"))).StatusCode);
        Assert.True(File.Exists(Path.Combine(_web.Path, "artifacts", "jobs", jobId.ToString(), "evidence", "index.json")));
        Assert.Equal((HttpStatusCode)422, (await PutZip(plain, host.BaseUrl, jobId, ("../../escape.txt", "x"))).StatusCode);
        Assert.False(File.Exists(Path.Combine(_web.Path, "artifacts", "escape.txt")));
    }

    [PostgresFact]
    public async Task A_worker_without_the_storage_root_sends_the_checkpoint_it_imported_to_the_web()
    {
        var bytes = await File.ReadAllBytesAsync(PortalTestData.FixtureCheckpoint());
        using var source = new Fetch.LocalHttpServer(r => r.Path == "/m/model.safetensors" ? Fetch.LocalHttpServer.ServeFile(r, bytes, "\"m\"") : new Fetch.Reply(404, []));
        var web = Shared();
        web["Portal:DataRoot"] = _web.Path;
        using var host = new PortalHost(_web.Path, web, processWorkers: true, kestrel: true);
        var worker = Shared();
        worker["Portal:DataRoot"] = _worker.Path;
        worker["Portal:Worker:PortalUrl"] = host.BaseUrl;
        worker["Portal:Worker:SharedStorage"] = "false";
        worker["Portal:Imports:AllowedHosts:0"] = "127.0.0.1"; // the worker decides what it may reach
        using var proc = PortalProcess.InProcessWorker("remote-import", worker);
        using var researcher = await host.ApiAs(Roles.Researcher);

        var accepted = await host.PostJson(researcher, "/api/encoders/import", new { source = source.BaseUrl + "/m/model.safetensors" }, 202);
        var id = accepted.GetProperty("encoder").GetProperty("id").GetInt32();
        var enc = await host.WaitFor(researcher, $"/api/encoders/{id}", e => e.GetProperty("status").GetString() != "validating", TimeSpan.FromMinutes(2));
        Assert.True(enc.GetProperty("status").GetString() == "ready", enc + "\n" + proc.Log);
        var sha = Fetch.FetchTestData.Sha(bytes);
        Assert.Equal(sha, enc.GetProperty("sha256").GetString());
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(_web.Path, "checkpoints", sha + ".ckpt")));
        Assert.True(File.Exists(Path.Combine(_worker.Path, "remote-cache", sha + ".ckpt")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_worker.Path, "checkpoints")));

        // The upload endpoint takes files for records still waiting for one, and checks what it receives.
        using var plain = new HttpClient();
        using var late = new HttpRequestMessage(HttpMethod.Put, $"{host.BaseUrl}/api/worker/encoders/{id}/checkpoint?sha256={sha}") { Content = new ByteArrayContent(bytes) };
        late.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        Assert.Equal(HttpStatusCode.Conflict, (await plain.SendAsync(late)).StatusCode);
    }

    private static async Task<HttpResponseMessage> PutZip(HttpClient c, string baseUrl, int jobId, params (string Name, string Text)[] entries)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in entries)
            {
                await using var w = new StreamWriter(zip.CreateEntry(name).Open());
                await w.WriteAsync(text);
            }
        var content = new ByteArrayContent(ms.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var req = new HttpRequestMessage(HttpMethod.Put, $"{baseUrl}/api/worker/jobs/{jobId}/artifacts") { Content = content };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await c.SendAsync(req);
    }
}
