using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>Resumable uploads as a hostile second researcher sees them (issue 14, items 10–12).</summary>
public sealed class UploadSessionTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private PortalHost Host(IDictionary<string, string?>? settings = null)
    {
        var s = new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) s[k] = v;
        return new PortalHost(Path.Combine(_dir.Path, "data"), s);
    }

    private static ByteArrayContent Chunk(int n)
    {
        var c = new ByteArrayContent(new byte[n]);
        c.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return c;
    }

    private static async Task<string> Create(PortalHost host, HttpClient c, long size) =>
        (await host.PostJson(c, "/api/uploads", new { size, file_name = "m.bin" }, 201)).GetProperty("id").GetString()!;

    private static async Task<(HttpStatusCode, JsonElement)> Send(Task<HttpResponseMessage> r)
    {
        var m = await r;
        var text = await m.Content.ReadAsStringAsync();
        return (m.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task A_session_is_its_creators_alone_everyone_else_gets_404()
    {
        using var host = Host();
        using var owner = await host.ApiAs(Roles.Researcher);
        using var other = await host.ApiAs(Roles.Researcher);
        using var anon = host.Api();
        var id = await Create(host, owner, 8);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsync($"/api/uploads/{id}?offset=0", Chunk(4))).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/uploads/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PutAsync($"/api/uploads/{id}?offset=4", Chunk(4))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/uploads/{id}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/uploads/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.GetAsync($"/api/uploads/{id}")).StatusCode);
        // Nothing of theirs landed: the owner's session is as it was.
        Assert.Equal(4, (await host.GetJson(owner, $"/api/uploads/{id}")).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Racing_requests_get_409_with_the_state_never_500()
    {
        using var host = Host();
        using var c = await host.ApiAs(Roles.Researcher);
        var id = await Create(host, c, 1 << 20);

        // One chunk is being written slowly; a second at the same offset, a complete and a delete arrive meanwhile.
        var gate = new TaskCompletionSource();
        var slow = c.PutAsync($"/api/uploads/{id}?offset=0", new SlowContent(gate.Task));
        await Task.Delay(300);
        var (s1, b1) = await Send(c.PutAsync($"/api/uploads/{id}?offset=0", Chunk(16)));
        var (s2, b2) = await Send(c.PostAsync($"/api/uploads/{id}/complete", null));
        var (s3, b3) = await Send(c.DeleteAsync($"/api/uploads/{id}"));
        gate.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);
        foreach (var (s, b) in new[] { (s1, b1), (s2, b2), (s3, b3) })
        {
            Assert.Equal(HttpStatusCode.Conflict, s);
            Assert.Equal("busy", b.GetProperty("state").GetString());
        }
        // A chunk at a stale offset is a conflict that says where the server is.
        var (s4, b4) = await Send(c.PutAsync($"/api/uploads/{id}?offset=0", Chunk(16)));
        Assert.Equal(HttpStatusCode.Conflict, s4);
        Assert.Equal("offset 1024", b4.GetProperty("state").GetString());
        var (s5, b5) = await Send(c.PostAsync($"/api/uploads/{id}/complete", null));
        Assert.Equal(HttpStatusCode.Conflict, s5);
        Assert.Contains("1024 of 1048576 bytes", b5.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Open_sessions_are_capped_per_account_and_a_chunk_past_the_session_names_its_size()
    {
        using var host = Host(new Dictionary<string, string?> { ["Portal:Uploads:MaxOpenSessionsPerUser"] = "2", ["Portal:Uploads:MaxOpenBytesPerUser"] = "1000" });
        using var c = await host.ApiAs(Roles.Researcher);
        using var other = await host.ApiAs(Roles.Researcher);
        var id = await Create(host, c, 10);
        var (status, body) = await Send(c.PostAsync("/api/uploads", JsonContent.Create(new { size = 991 })));
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("Portal:Uploads:MaxOpenBytesPerUser", body.GetProperty("error").GetString());
        await Create(host, c, 20);
        (status, body) = await Send(c.PostAsync("/api/uploads", JsonContent.Create(new { size = 5 })));
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("Portal:Uploads:MaxOpenSessionsPerUser = 2", body.GetProperty("error").GetString());
        await Create(host, other, 5); // another account's quota is its own

        (status, body) = await Send(c.PutAsync($"/api/uploads/{id}?offset=0", Chunk(11)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("declared size of 10 bytes", body.GetProperty("error").GetString());
        Assert.DoesNotContain("MaxUploadBytes", body.GetProperty("error").GetString());
        Assert.Equal(0, (await host.GetJson(c, $"/api/uploads/{id}")).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Idle_sessions_expire_with_their_part_file()
    {
        using var host = Host(new Dictionary<string, string?> { ["Portal:Uploads:SessionHours"] = "0.0003" }); // ~1 s
        using var c = await host.ApiAs(Roles.Researcher);
        var id = await Create(host, c, 10);
        var part = Path.Combine(host.DataRoot, "uploads", id + ".part");
        Assert.True(File.Exists(part));
        await Task.Delay(2000);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/api/uploads/{id}")).StatusCode);
        await Create(host, c, 10); // creating sweeps the expired ones
        Assert.False(File.Exists(part));
    }

    /// <summary>A body that sends 1 KiB, then waits for the test before ending.</summary>
    private sealed class SlowContent : HttpContent
    {
        private readonly Task _release;
        public SlowContent(Task release) { _release = release; Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream"); }
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(new byte[1024]);
            await stream.FlushAsync();
            await _release;
        }
        protected override bool TryComputeLength(out long length) { length = -1; return false; }
    }

    public void Dispose() => _dir.Dispose();
}
