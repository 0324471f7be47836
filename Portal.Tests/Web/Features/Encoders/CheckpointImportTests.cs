using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Data.Entities;
using Portal.Engine.Fetch;
using Portal.Tests.Fetch;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Worker.Validation;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>
/// POST /api/encoders/import end to end: the web writes the record, the in-process worker downloads the file from a
/// local HTTP server (the tests' own; nothing reaches the network), checks and stores it, then validates it.
/// </summary>
public sealed class CheckpointImportTests : IDisposable
{
    private const string HubToken = "hf_secret_token_for_tests";
    private readonly FixturePaths.TempDir _dir = new();
    private readonly byte[] _checkpoint = File.ReadAllBytes(PortalTestData.FixtureCheckpoint());
    private readonly Dictionary<string, byte[]> _files = [];
    private readonly LocalHttpServer _server;
    private int _dropOnce;

    public CheckpointImportTests()
    {
        _server = new LocalHttpServer(Serve);
        _files["/models/model.safetensors"] = _checkpoint;
        _files["/org/robust-clip/resolve/v2/open_clip_pytorch_model.bin"] = _checkpoint;
    }

    /// <summary>Files with ETags and ranges; the first GET of /flaky/ breaks off half-way; the hub 404s what it lacks.</summary>
    private Reply Serve(SeenRequest r)
    {
        if (r.Path.StartsWith("/flaky/", StringComparison.Ordinal))
            return LocalHttpServer.ServeFile(r, _checkpoint, "\"flaky\"", dropAfter: r.Method == "GET" && Interlocked.Exchange(ref _dropOnce, 1) == 0 ? _checkpoint.Length / 2 : null);
        return _files.TryGetValue(r.Path, out var b) ? LocalHttpServer.ServeFile(r, b, "\"" + FetchTestData.Sha(b)[..16] + "\"") : new Reply(404, []);
    }

    private PortalHost Host(bool allowLocal = true, IDictionary<string, string?>? more = null)
    {
        var s = new Dictionary<string, string?>
        {
            ["Portal:Imports:HubBaseUrl"] = _server.BaseUrl,
            ["Portal:Imports:HubToken"] = HubToken,
        };
        if (allowLocal) s["Portal:Imports:AllowedHosts:0"] = "127.0.0.1";
        foreach (var (k, v) in more ?? new Dictionary<string, string?>()) s[k] = v;
        return new PortalHost(_dir.Path, s);
    }

    private static async Task<JsonElement> Decided(PortalHost host, HttpClient api, JsonElement accepted) =>
        await host.WaitFor(api, $"/api/encoders/{accepted.GetProperty("encoder").GetProperty("id").GetInt32()}", e => e.GetProperty("status").GetString() != "validating");

    [Fact]
    public async Task A_url_import_is_downloaded_by_the_worker_resumed_after_a_break_validated_and_recorded()
    {
        using var host = Host();
        using var api = await host.ApiAs(Roles.Researcher);
        var accepted = await host.PostJson(api, "/api/encoders/import", new { source = _server.BaseUrl + "/flaky/model.safetensors?sig=abc", sha256 = FetchTestData.Sha(_checkpoint).ToUpperInvariant() }, 202);
        Assert.Equal("validating", accepted.GetProperty("status").GetString());
        Assert.True(accepted.GetProperty("encoder").GetProperty("is_importing").GetBoolean());

        var e = await Decided(host, api, accepted);
        Assert.Equal("ready", e.GetProperty("status").GetString());
        var sha = FetchTestData.Sha(_checkpoint);
        Assert.Equal(sha, e.GetProperty("sha256").GetString());
        Assert.Equal(sha, e.GetProperty("expected_sha256").GetString());
        Assert.Equal(_checkpoint.Length, e.GetProperty("size_bytes").GetInt64());
        Assert.Equal(_checkpoint.Length, e.GetProperty("imported_bytes").GetInt64());
        Assert.Equal("model.safetensors", e.GetProperty("display_name").GetString());
        // The public form of the source has no query string (signed links carry secrets there); the full one is admins'.
        Assert.Equal(_server.BaseUrl + "/flaky/model.safetensors?…", e.GetProperty("source").GetString());
        Assert.False(e.TryGetProperty("source_url", out _));
        Assert.Equal(_server.BaseUrl + "/flaky/model.safetensors", e.GetProperty("download_url").GetString());
        Assert.Equal("openclip-vit", e.GetProperty("architecture").GetString());

        // The break was resumed with a range request, not started over.
        var gets = _server.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/flaky/")).ToList();
        Assert.True(gets.Count >= 2);
        Assert.Contains(gets, r => r.Header("range") is { } range && range != "bytes=0-");
        Assert.True(File.Exists(Path.Combine(_dir.Path, "checkpoints", sha + ".ckpt")));
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "imports", e.GetProperty("id").GetInt32().ToString())));

        using var admin = await host.ApiAs(Roles.Admin);
        var full = await host.GetJson(admin, $"/api/encoders/{e.GetProperty("id").GetInt32()}");
        Assert.Equal(_server.BaseUrl + "/flaky/model.safetensors?sig=abc", full.GetProperty("source_url").GetString());
    }

    [Fact]
    public async Task A_hub_id_resolves_like_open_clip_at_the_revision_with_the_token_sent_to_the_hub_and_never_shown()
    {
        using var host = Host();
        using var api = await host.ApiAs(Roles.Researcher);
        var accepted = await host.PostJson(api, "/api/encoders/import", new { source = "hf-hub:org/robust-clip", revision = "v2", name = "robust clip" }, 202);
        var e = await Decided(host, api, accepted);
        Assert.Equal("ready", e.GetProperty("status").GetString());
        Assert.Equal("hf-hub:org/robust-clip", e.GetProperty("source").GetString());
        Assert.Equal("v2", e.GetProperty("source_revision").GetString());
        // open_clip_model.safetensors first (absent here), then open_clip_pytorch_model.bin.
        Assert.Equal("open_clip_pytorch_model.bin", e.GetProperty("source_file").GetString());
        Assert.Contains(_server.Requests, r => r.Path == "/org/robust-clip/resolve/v2/open_clip_model.safetensors");
        var got = _server.Requests.Where(r => r.Path == "/org/robust-clip/resolve/v2/open_clip_pytorch_model.bin" && r.Method == "GET").ToList();
        Assert.NotEmpty(got);
        Assert.All(got, r => Assert.Equal("Bearer " + HubToken, r.Header("authorization")));

        using var admin = await host.ApiAs(Roles.Admin);
        foreach (var client in new[] { api, admin })
        {
            var text = await client.GetStringAsync($"/api/encoders/{e.GetProperty("id").GetInt32()}");
            Assert.DoesNotContain(HubToken, text);
            Assert.DoesNotContain(HubToken, await client.GetStringAsync("/api/encoders"));
        }
    }

    [Fact]
    public async Task A_wrong_checksum_or_a_private_address_rejects_the_import_with_its_reason_and_stores_nothing()
    {
        using (var host = Host())
        using (var api = await host.ApiAs(Roles.Researcher))
        {
            var wrong = new string('0', 64);
            var e = await Decided(host, api, await host.PostJson(api, "/api/encoders/import", new { source = _server.BaseUrl + "/models/model.safetensors", sha256 = wrong }, 202));
            Assert.Equal("rejected", e.GetProperty("status").GetString());
            Assert.Contains("sha256 mismatch", e.GetProperty("reject_reason").GetString());
            Assert.Equal(JsonValueKind.Null, e.GetProperty("sha256").ValueKind);
            Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "checkpoints")));
            Assert.False(Directory.Exists(Path.Combine(_dir.Path, "imports", e.GetProperty("id").GetInt32().ToString())));
        }

        // Without the operator allowing the host, a loopback address is refused where the worker connects.
        var before = _server.Requests.Count;
        using (var host = Host(allowLocal: false))
        using (var api = await host.ApiAs(Roles.Researcher))
        {
            var e = await Decided(host, api, await host.PostJson(api, "/api/encoders/import", new { source = _server.BaseUrl + "/models/model.safetensors" }, 202));
            Assert.Equal("rejected", e.GetProperty("status").GetString());
            Assert.Contains("127.0.0.1", e.GetProperty("reject_reason").GetString());
            Assert.Contains("AllowedHosts", e.GetProperty("reject_reason").GetString());
            Assert.Equal(before, _server.Requests.Count);
        }
    }

    [Fact]
    public async Task Bad_requests_are_refused_before_anything_is_queued()
    {
        using var host = Host(more: new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false", ["Portal:Imports:MaxOpenPerUser"] = "1" });
        using var api = await host.ApiAs(Roles.Researcher);
        foreach (var (body, why) in new (object, string)[]
        {
            (new { source = (string?)null }, "source is required"),
            (new { source = "file:///etc/passwd" }, "http:// or https://"),
            (new { source = "ftp://example.org/model.bin" }, "http:// or https://"),
            (new { source = "https://user:pw@example.org/model.bin" }, "user name or password"),
            (new { source = "hf-hub:just-an-org" }, "hf-hub:org/repo"),
            (new { source = "hf-hub:org/../../etc" }, "hf-hub:org/repo"),
            (new { source = "https://example.org/model.bin", revision = "main" }, "hf-hub: sources only"),
            (new { source = "hf-hub:org/repo", revision = "a?b" }, "bad revision"),
            (new { source = "https://example.org/model.bin", sha256 = "abc" }, "64 hexadecimal"),
            (new { source = "https://example.org/" + new string('a', 3000) }, "limit is"),
        })
        {
            var r = await host.PostJson(api, "/api/encoders/import", body, 400);
            Assert.Contains(why, r.GetProperty("error").GetString());
        }
        using var anonymous = host.Api();
        var anon = await anonymous.PostAsync("/api/encoders/import", System.Net.Http.Json.JsonContent.Create(new { source = "https://example.org/m.bin" }));
        Assert.Equal(HttpStatusCode.Unauthorized, anon.StatusCode);

        // One open import per account here: the second waits for the first.
        await host.PostJson(api, "/api/encoders/import", new { source = "https://example.org/a.safetensors" }, 202);
        var quota = await host.PostJson(api, "/api/encoders/import", new { source = "https://example.org/b.safetensors" }, 429);
        Assert.Contains("MaxOpenPerUser", quota.GetProperty("error").GetString());

        // Bytes already registered are named at once.
        var builtin = await host.PostJson(await host.ApiAs(Roles.Admin), "/api/encoders/builtin", new { name = "ssim", size = 32 });
        using var other = await host.ApiAs(Roles.Researcher);
        var dup = await host.PostJson(other, "/api/encoders/import", new { source = "https://example.org/c.bin", sha256 = builtin.GetProperty("sha256").GetString() }, 409);
        Assert.Contains($"encoder {builtin.GetProperty("id").GetInt32()}", dup.GetProperty("error").GetString());

        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Encoders.CountAsync(x => x.SourceUrl != null));
    }

    [Fact]
    public async Task A_part_file_left_by_a_worker_that_died_is_resumed_with_a_range_request()
    {
        using var host = Host();
        var dbFactory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var url = _server.BaseUrl + "/models/model.safetensors";
        int id;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            // What a worker killed half-way leaves: the record still validating, no file, the part and its sidecar.
            var record = new EncoderRecord { DisplayName = "half done", Status = EncoderStatus.Validating, SourceUrl = url, OwnsFile = true, CreatedAt = DateTime.UtcNow };
            db.Encoders.Add(record);
            await db.SaveChangesAsync();
            id = record.Id;
        }
        var folder = host.WorkerServices.GetRequiredService<CheckpointImport>().Folder(id);
        Directory.CreateDirectory(folder);
        var part = Path.Combine(folder, "model.safetensors.part");
        var half = _checkpoint.Length / 2;
        await File.WriteAllBytesAsync(part, _checkpoint[..half]);
        new PartSidecar(url, "\"" + FetchTestData.Sha(_checkpoint)[..16] + "\"", null, _checkpoint.Length).Write(part);

        host.WorkerServices.GetRequiredService<EncoderValidation>().Validate(id);

        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var e = await db.Encoders.SingleAsync(x => x.Id == id);
            Assert.Equal(EncoderStatus.Ready, e.Status);
            Assert.Equal(FetchTestData.Sha(_checkpoint), e.Sha256);
        }
        var get = Assert.Single(_server.Requests, r => r.Method == "GET" && r.Path == "/models/model.safetensors");
        Assert.Equal($"bytes={half}-", get.Header("range"));
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }
}
