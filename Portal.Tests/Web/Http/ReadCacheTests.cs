using System.Net;
using System.Net.Http.Headers;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Features.Accounts;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Http;

/// <summary>
/// "Fast for a crowd" (issue 15, item 11; docs/measurements.md, “Read pages for a crowd”): anonymous read pages are static, output-cached and
/// compressed; signed-in users get their own interactive pages, never a cached one, and never see another's; a new
/// result evicts the cached board and lists; paged lists refuse bad paging with a 400.
/// </summary>
public sealed class ReadCacheTests : IDisposable
{
    private const string Password = "a long enough passphrase";
    private const string CircuitMarker = "<!--Blazor:{\"type\":\"server\"";
    private readonly FixturePaths.TempDir _dir = new();

    private static async Task<HttpResponseMessage> SignIn(HttpClient browser, string user) =>
        await browser.PostAsync("/account/signin/submit", SignInTests.Form(("username", user), ("password", Password), ("returnUrl", "/"),
            ("__RequestVerificationToken", await SignInTests.FormToken(browser))));

    [Fact]
    public async Task Anonymous_read_pages_are_static_and_cached_while_a_signed_in_user_gets_an_interactive_page_of_their_own()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        var user = await TestAccounts.CreateAsync(host, Roles.Researcher, password: Password);
        using var anonymous = host.Api();
        using var browser = host.Api();
        Assert.Equal(HttpStatusCode.Redirect, (await SignIn(browser, user.UserName)).StatusCode);

        foreach (var path in new[] { "/", "/encoders", "/queue" })
        {
            // Anonymous: static HTML (no circuit to start), stored once and then answered from the cache (an Age header).
            var first = await anonymous.GetAsync(path);
            var html = await first.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.DoesNotContain(CircuitMarker, html);
            Assert.Contains("data-interactive=\"false\"", html);
            Assert.Contains("id=\"signin-link\"", html);
            Assert.False(first.Headers.Contains("Set-Cookie"), $"{path}: a cached page must not set a cookie: {string.Join(" | ", first.Headers.TryGetValues("Set-Cookie", out var sc) ? sc : [])}");
            var second = await anonymous.GetAsync(path);
            Assert.True(second.Headers.Age != null, $"{path}: the second anonymous read should come from the output cache");

            // Signed in (the cookie): the interactive page, rendered for this user, although an anonymous copy is cached.
            var mine = await browser.GetAsync(path);
            var mineHtml = await mine.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
            Assert.Contains(CircuitMarker, mineHtml);
            Assert.Null(mine.Headers.Age);
            Assert.DoesNotContain("id=\"signin-link\"", mineHtml);

            // ... and the anonymous copy is still the anonymous one: no user's page is ever stored for others.
            var after = await (await anonymous.GetAsync(path)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(user.UserName, after);
            Assert.DoesNotContain(CircuitMarker, after);

            // An anonymous visitor can still ask for the interactive page (sorting, pins); it is never cached.
            var interactive = await anonymous.GetAsync(path + "?interactive=1");
            Assert.Contains(CircuitMarker, await interactive.Content.ReadAsStringAsync());
            Assert.Null(interactive.Headers.Age);
            Assert.Null((await anonymous.GetAsync(path + "?interactive=1")).Headers.Age);
        }

        // A page that is not a read page stays interactive for anonymous visitors.
        Assert.Contains(CircuitMarker, await anonymous.GetStringAsync("/retrieval"));

        // API tokens (the Authorization header) are never answered from the cache either.
        using var script = host.ApiWithToken(user.Token);
        await anonymous.GetAsync("/api/jobs");
        Assert.NotNull((await anonymous.GetAsync("/api/jobs")).Headers.Age);
        Assert.Null((await script.GetAsync("/api/jobs")).Headers.Age);
    }

    [Fact]
    public async Task Pages_and_lists_are_compressed_for_clients_that_accept_it()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        using var c = host.Api();
        foreach (var (path, encoding) in new[] { ("/", "br"), ("/api/results", "br"), ("/api/jobs", "gzip"), ("/queue", "gzip") })
        {
            var req = new HttpRequestMessage(HttpMethod.Get, path);
            req.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            var r = await c.SendAsync(req);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal([encoding], r.Content.Headers.ContentEncoding);
            // The cache keeps one copy per encoding: a client that takes none gets plain bytes, even after a compressed one was stored.
            var plain = await c.GetAsync(path);
            Assert.Empty(plain.Content.Headers.ContentEncoding);
        }
        // A page with a secret next to what a link can put in it (the sign-in form's antiforgery token, returnUrl) is not
        // compressed: nothing for a compression side channel to recover.
        var signIn = new HttpRequestMessage(HttpMethod.Get, "/account/signin?returnUrl=%2Fqueue");
        signIn.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        var page = await c.SendAsync(signIn);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Empty(page.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task A_new_result_shows_on_the_cached_board_and_lists_once_it_lands()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var admin = await host.ApiAs(Roles.Admin);
        using var anonymous = host.Api();
        var data = PortalTestData.Nights(_dir, count: 8, size: 32, seed: 3);
        var encoder = await host.PostJson(admin, "/api/encoders/builtin", new { name = "ssim", size = 32 });
        var bench = await host.PostJson(admin, "/api/benchmarks", new { name = "cache set", dataset_root = data }, 201);

        // Cache the empty lists and pages.
        Assert.Equal("[]", await anonymous.GetStringAsync("/api/results"));
        var board = $"/leaderboards/{bench.GetProperty("id").GetInt32()}";
        Assert.Contains("leaderboard-empty", await anonymous.GetStringAsync(board));
        await anonymous.GetStringAsync("/");
        Assert.NotNull((await anonymous.GetAsync("/api/results")).Headers.Age);

        var job = (await host.PostJson(admin, "/api/jobs", new { encoder_id = encoder.GetProperty("id").GetInt32(), benchmark_id = bench.GetProperty("id").GetInt32(), presets = new[] { "clean" } }, 201))[0]
            .GetProperty("job").GetProperty("id").GetInt32();
        var ended = await host.WaitForJobEnd(admin, job, TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", ended.GetProperty("status").GetString());

        // Eviction follows the job's end through the progress relay: the lists show the result at once.
        var results = await host.WaitFor(anonymous, "/api/results", r => r.GetArrayLength() > 0, TimeSpan.FromSeconds(15));
        Assert.Equal(job, results[0].GetProperty("job_id").GetInt32());
        var jobs = await host.GetJson(anonymous, "/api/jobs");
        Assert.Equal("succeeded", jobs[0].GetProperty("status").GetString());
        // The board's pages are evicted at most every few seconds (their render is the costliest): it follows within that.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var html = await anonymous.GetStringAsync(board);
        while (html.Contains("leaderboard-empty") && DateTime.UtcNow < until) { await Task.Delay(250); html = await anonymous.GetStringAsync(board); }
        Assert.DoesNotContain("leaderboard-empty", html);
        Assert.Contains(encoder.GetProperty("display_name").GetString()!, html);
    }

    [Fact]
    public async Task Paged_lists_take_limit_and_offset_and_refuse_bad_values_with_a_reason()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        using var c = host.Api();
        foreach (var list in new[] { "/api/jobs", "/api/results" })
        {
            foreach (var (query, says) in new[] { ("limit=0", "between 1 and"), ("limit=100000", "between 1 and"), ("limit=ten", "whole number"), ("offset=-1", "whole number"), ("page=2", "unknown filter") })
            {
                var r = await c.GetAsync($"{list}?{query}");
                Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
                Assert.Contains(says, (await PortalHost.ReadJson(r)).GetProperty("error").GetString());
            }
            var ok = await c.GetAsync($"{list}?limit=5&offset=0");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("0", ok.Headers.GetValues("X-Total-Count").Single());
            Assert.False(ok.Headers.Contains("Link"), "no next page of an empty list");
        }
    }

    [Fact]
    public async Task Anonymous_reads_beyond_the_admission_limit_are_turned_away_while_signed_in_users_are_not_counted()
    {
        // One anonymous read a second and nobody waiting in line: the second read at once is refused with a reason to retry.
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?>
        {
            ["Portal:Worker:Enabled"] = "false", ["Portal:Reads:AnonymousPerSecond"] = "1", ["Portal:Reads:QueueLimit"] = "0",
        });
        var user = await TestAccounts.CreateAsync(host, Roles.Researcher, password: Password);
        using var script = host.ApiWithToken(user.Token);
        using var anonymous = host.Api();
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++) answers.Add(await anonymous.GetAsync("/api/jobs"));
        Assert.Equal(HttpStatusCode.OK, answers[0].StatusCode);
        var refused = answers.First(a => a.StatusCode != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/jobs")).StatusCode);
        // Pages other than the cached reads are not counted either.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health")).StatusCode);
    }

    public void Dispose() => _dir.Dispose();
}
