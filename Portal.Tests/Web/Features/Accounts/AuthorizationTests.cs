using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Web.Features.Accounts;

/// <summary>Who may call which API endpoint: anonymous reads, researcher writes, admin-only changes; 401/403 with JSON, never redirects.</summary>
public sealed class AuthorizationTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly PortalHost _host;

    public AuthorizationTests() =>
        // No worker: submitted jobs stay queued, so they can be cancelled deterministically.
        _host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });

    private static StringContent Json(object o) => new(JsonSerializer.Serialize(o, PortalHost.Json), System.Text.Encoding.UTF8, "application/json");

    private static async Task AssertRefused(HttpResponseMessage r, HttpStatusCode expected, string what)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"{what}: expected {(int)expected}, got {(int)r.StatusCode} {body}");
        Assert.Null(r.Headers.Location); // scripts get a status, not a redirect to the sign-in page
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()), $"{what}: no error message");
    }

    /// <summary>An admin registers a small benchmark; a researcher registers a built-in encoder.</summary>
    private async Task<(int Encoder, int Bench)> Setup(HttpClient admin, HttpClient researcher)
    {
        var data = PortalTestData.Nights(_dir, count: 8, size: 16);
        var b = await _host.PostJson(admin, "/api/benchmarks", new { name = "authz set", dataset_root = data }, 201);
        var e = await _host.PostJson(researcher, "/api/encoders/builtin", new { name = "ssim", size = 16 });
        return (e.GetProperty("id").GetInt32(), b.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Anonymous_visitors_can_read_everything()
    {
        using var anon = _host.Api();
        foreach (var url in new[] { "/api/health", "/api/encoders", "/api/benchmarks", "/api/jobs", "/api/results", "/api/presets", "/api/account" })
        {
            var r = await anon.GetAsync(url);
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)r.StatusCode}");
        }
        Assert.False((await _host.GetJson(anon, "/api/account")).GetProperty("authenticated").GetBoolean());
        foreach (var page in new[] { "/", "/encoders", "/queue" })
        {
            var r = await anon.GetAsync(page);
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"GET {page}: {(int)r.StatusCode}");
            Assert.Contains("Sign in", await r.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public void Every_api_write_endpoint_names_a_policy()
    {
        // A guard for endpoints added later: any non-GET under /api must carry Policies.Researcher or Policies.Admin
        // (or Policies.Worker, the worker-token endpoints under /api/worker).
        var writes = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Any(m => m is not ("GET" or "HEAD")) == true)
            .ToList();
        Assert.True(writes.Count >= 12, $"only {writes.Count} write endpoints found");
        Assert.All(writes, e => Assert.True(
            e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is Policies.Researcher or Policies.Admin
                || (a.Policy is Policies.Worker && e.RoutePattern.RawText!.StartsWith("/api/worker/", StringComparison.Ordinal))),
            $"{e.DisplayName} has no policy"));
    }

    [Fact]
    public async Task Anonymous_writes_get_401_with_a_reason()
    {
        using var anon = _host.Api();
        await AssertRefused(await anon.PostAsync("/api/encoders/upload?name=x", new ByteArrayContent([1, 2, 3])), HttpStatusCode.Unauthorized, "upload");
        await AssertRefused(await anon.PostAsync("/api/encoders/builtin", Json(new { name = "ssim", size = 16 })), HttpStatusCode.Unauthorized, "builtin");
        await AssertRefused(await anon.PostAsync("/api/encoders/register", Json(new { path = "/etc/passwd" })), HttpStatusCode.Unauthorized, "register");
        await AssertRefused(await anon.PostAsync("/api/uploads", Json(new { size = 10 })), HttpStatusCode.Unauthorized, "resumable upload");
        await AssertRefused(await anon.PostAsync("/api/jobs", Json(new { encoder_id = 1, benchmark_id = 1, presets = new[] { "clean" } })), HttpStatusCode.Unauthorized, "submit");
        await AssertRefused(await anon.PostAsync("/api/jobs/1/cancel", null), HttpStatusCode.Unauthorized, "cancel");
        await AssertRefused(await anon.PostAsync("/api/jobs/1/rerun", null), HttpStatusCode.Unauthorized, "rerun");
        await AssertRefused(await anon.DeleteAsync("/api/encoders/1"), HttpStatusCode.Unauthorized, "delete encoder");
        await AssertRefused(await anon.GetAsync("/api/tokens"), HttpStatusCode.Unauthorized, "tokens");
        // Nothing was created on the way.
        Assert.Equal(0, (await _host.GetJson(anon, "/api/encoders")).GetArrayLength());
    }

    [Fact]
    public async Task Unknown_bearer_token_is_401_and_names_the_problem()
    {
        using var forged = _host.ApiWithToken(ApiTokens.TokenPrefix + "not-a-real-token");
        var r = await forged.PostAsync("/api/encoders/builtin", Json(new { name = "ssim", size = 16 }));
        await AssertRefused(r, HttpStatusCode.Unauthorized, "forged token");
        Assert.Contains("unknown or revoked", await r.Content.ReadAsStringAsync());
        Assert.StartsWith("Bearer", r.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Researcher_submits_and_cancels_own_jobs_but_not_others_and_admin_cancels_any()
    {
        using var admin = await _host.ApiAs(Roles.Admin);
        var alice = await TestAccounts.CreateAsync(_host, Roles.Researcher);
        using var aliceApi = _host.ApiWithToken(alice.Token);
        using var bob = await _host.ApiAs(Roles.Researcher);
        var (enc, bench) = await Setup(admin, aliceApi);

        var submitted = await _host.PostJson(aliceApi, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "clean", "linf-4" } }, 201);
        var jobs = submitted.EnumerateArray().Select(s => s.GetProperty("job")).ToList();
        Assert.All(jobs, j => Assert.Equal(alice.UserId, j.GetProperty("submitted_by").GetString()));
        int first = jobs[0].GetProperty("id").GetInt32(), second = jobs[1].GetProperty("id").GetInt32();

        await AssertRefused(await bob.PostAsync($"/api/jobs/{first}/cancel", null), HttpStatusCode.Forbidden, "someone else's job");
        Assert.Equal("queued", (await _host.GetJson(bob, $"/api/jobs/{first}")).GetProperty("status").GetString());

        var own = await aliceApi.PostAsync($"/api/jobs/{first}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("cancelled", (await _host.GetJson(aliceApi, $"/api/jobs/{first}")).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/jobs/{second}/cancel", null)).StatusCode);
        Assert.Equal("cancelled", (await _host.GetJson(admin, $"/api/jobs/{second}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Researcher_gets_403_on_admin_only_endpoints_which_work_for_an_admin()
    {
        using var admin = await _host.ApiAs(Roles.Admin);
        using var researcher = await _host.ApiAs(Roles.Researcher);
        var (enc, bench) = await Setup(admin, researcher);
        var job = (await _host.PostJson(researcher, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "clean" } }, 201))[0]
            .GetProperty("job").GetProperty("id").GetInt32();
        await _host.PostJson(researcher, $"/api/jobs/{job}/cancel", new { });

        await AssertRefused(await researcher.PostAsync("/api/benchmarks", Json(new { name = "mine", dataset_root = _dir.Path })), HttpStatusCode.Forbidden, "register benchmark");
        await AssertRefused(await researcher.PostAsync($"/api/jobs/{job}/rerun", null), HttpStatusCode.Forbidden, "rerun");
        await AssertRefused(await researcher.DeleteAsync($"/api/encoders/{enc}"), HttpStatusCode.Forbidden, "delete encoder");
        await AssertRefused(await researcher.DeleteAsync("/api/results/1"), HttpStatusCode.Forbidden, "delete result");

        // The admin may: re-running queues a fresh job owned by the admin, then the encoder cannot go while it is queued.
        var rerun = await _host.PostJson(admin, $"/api/jobs/{job}/rerun", new { }, 201);
        Assert.Equal("queued", rerun.GetProperty("outcome").GetString());
        var rerunId = rerun.GetProperty("job").GetProperty("id").GetInt32();
        Assert.NotEqual(job, rerunId);
        var busy = await admin.DeleteAsync($"/api/encoders/{enc}");
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Contains("cancel them first", await busy.Content.ReadAsStringAsync());
        await _host.PostJson(admin, $"/api/jobs/{rerunId}/cancel", new { });
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/encoders/{enc}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/encoders/{enc}")).StatusCode);
        Assert.Equal(0, (await _host.GetJson(admin, $"/api/jobs?encoderId={enc}")).GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/results/12345")).StatusCode);
    }

    public void Dispose()
    {
        _host.Dispose();
        _dir.Dispose();
    }
}
