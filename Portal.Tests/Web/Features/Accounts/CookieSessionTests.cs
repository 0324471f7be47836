using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Accounts;

/// <summary>What a signed-in browser can be tricked into, and sign-in as an attacker probes it (issue 14, items 4, 14–16, 22).</summary>
public sealed class CookieSessionTests : IDisposable
{
    private const string Password = "a long enough passphrase";
    private readonly FixturePaths.TempDir _dir = new();

    private PortalHost Host(IDictionary<string, string?>? settings = null)
    {
        var s = new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) s[k] = v;
        return new PortalHost(Path.Combine(_dir.Path, "data"), s);
    }

    private static async Task<HttpResponseMessage> SignIn(HttpClient browser, string user, string password, string returnUrl = "/") =>
        await browser.PostAsync("/account/signin/submit", SignInTests.Form(("username", user), ("password", password), ("returnUrl", returnUrl),
            ("__RequestVerificationToken", await SignInTests.FormToken(browser))));

    private static string Error(HttpResponseMessage r) => Uri.UnescapeDataString(r.Headers.Location!.OriginalString);

    [Fact]
    public async Task Cookie_writes_need_the_portal_header_and_this_origin_while_tokens_need_neither()
    {
        using var host = Host();
        var user = await TestAccounts.CreateAsync(host, Roles.Researcher, password: Password);
        using var browser = host.Api();
        Assert.Equal(HttpStatusCode.Redirect, (await SignIn(browser, user.UserName, Password)).StatusCode);
        var builtin = () => JsonContent.Create(new { name = "ssim", size = 16 });

        // What a page on another port of the same host can send with the cookie: a plain form, a script's fetch.
        var form = new StringContent("name=ssim&size=16", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/api/encoders/builtin", form)).StatusCode);
        var plain = new StringContent("x", System.Text.Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/api/encoders/upload", plain)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/api/jobs/1/cancel", new FormUrlEncodedContent([]))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/api/encoders/builtin", builtin())).StatusCode);
        var otherPort = new HttpRequestMessage(HttpMethod.Post, "/api/encoders/builtin") { Content = builtin() };
        otherPort.Headers.Add("X-Portal-Request", "1");
        otherPort.Headers.Add("Origin", "http://localhost:8081");
        var refused = await browser.SendAsync(otherPort);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("cross-origin", await refused.Content.ReadAsStringAsync());
        var sibling = new HttpRequestMessage(HttpMethod.Post, "/api/encoders/builtin") { Content = builtin() };
        sibling.Headers.Add("X-Portal-Request", "1");
        sibling.Headers.Add("Sec-Fetch-Site", "same-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(sibling)).StatusCode);

        // The portal's own page: the header and its own origin.
        var own = new HttpRequestMessage(HttpMethod.Post, "/api/encoders/builtin") { Content = builtin() };
        own.Headers.Add("X-Portal-Request", "1");
        own.Headers.Add("Origin", browser.BaseAddress!.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(own)).StatusCode);
        // A token is not sent by a browser on its own: no header needed.
        using var script = host.ApiWithToken(user.Token);
        Assert.Equal(HttpStatusCode.OK, (await script.PostAsync("/api/encoders/builtin", JsonContent.Create(new { name = "pixel-l2", size = 16 }))).StatusCode);
    }

    [Fact]
    public async Task A_cookie_copied_before_sign_out_is_dead_after_it()
    {
        using var host = Host();
        var user = await TestAccounts.CreateAsync(host, Roles.Researcher, password: Password);
        using var browser = host.Api();
        var signIn = await SignIn(browser, user.UserName, Password);
        var cookie = signIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("portal.auth=")).Split(';')[0];
        using var thief = host.Api();
        thief.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.True((await host.GetJson(thief, "/api/account")).GetProperty("authenticated").GetBoolean());

        var token = await SignInTests.FormToken(browser, "/account/signout");
        await browser.PostAsync("/account/signout/submit", SignInTests.Form(("returnUrl", "/"), ("__RequestVerificationToken", token)));
        Assert.False((await host.GetJson(thief, "/api/account")).GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public async Task A_return_url_with_a_control_character_goes_home_instead_of_500()
    {
        using var host = Host();
        var user = await TestAccounts.CreateAsync(host, Roles.Researcher, password: Password);
        using var browser = host.Api();
        foreach (var url in new[] { "/\t/evil.example", "/queue\n", "/\r\n/evil.example" })
        {
            var r = await SignIn(browser, user.UserName, Password, url);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.Equal("/", r.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task Unknown_and_existing_accounts_answer_the_same_in_about_the_same_time()
    {
        using var host = Host(new Dictionary<string, string?> { ["Portal:Accounts:SignInsPerAccountPerMinute"] = "100", ["Portal:Accounts:SignInsPerAddressPerMinute"] = "100" });
        var user = await TestAccounts.CreateAsync(host, Roles.Researcher, password: Password);
        using var browser = host.Api();
        async Task<(string Error, double Ms)> Try(string name)
        {
            var token = await SignInTests.FormToken(browser);
            var sw = Stopwatch.StartNew();
            var r = await browser.PostAsync("/account/signin/submit", SignInTests.Form(("username", name), ("password", "wrong password here"), ("__RequestVerificationToken", token)));
            return (Error(r), sw.Elapsed.TotalMilliseconds);
        }
        await Try("warm-up");
        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var (e1, t1) = await Try(user.UserName);
            var (e2, t2) = await Try("nobody-" + i);
            Assert.Equal(e1.Replace(user.UserName, "X"), e2.Replace("nobody-" + i, "X"));
            known.Add(t1); unknown.Add(t2);
        }
        // Identity answers an unknown name in ~0 ms and a known one after hashing (~100+ ms): the dummy hash closes the gap.
        Assert.True(unknown.Order().ElementAt(2) > 0.3 * known.Order().ElementAt(2), $"unknown {string.Join(",", unknown)} ms vs known {string.Join(",", known)} ms");
        // Locked (10 failures) answers as a wrong password does.
        for (var i = 0; i < 5; i++) await Try(user.UserName);
        var (locked, _) = await Try(user.UserName);
        Assert.Equal(Portal.Web.Features.Accounts.AccountEndpoints.FailedSignIn, locked[(locked.IndexOf("error=", StringComparison.Ordinal) + 6)..locked.IndexOf("&returnUrl", StringComparison.Ordinal)]);
        Assert.DoesNotContain("locked", locked);
    }

    [Fact]
    public async Task Sign_in_is_throttled_per_account_tokens_survive_a_lockout_and_an_admin_unlocks()
    {
        using var host = Host();
        var user = await TestAccounts.CreateAsync(host, Roles.Researcher, password: Password);
        using var browser = host.Api();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 6; i++) last = await SignIn(browser, user.UserName, "wrong password here");
        Assert.Contains("too many sign-in attempts", Error(last));
        // The throttle keys on the typed name, known or not: the same answer for a name that does not exist.
        for (var i = 0; i < 6; i++) last = await SignIn(browser, "nobody-at-all", "wrong password here");
        Assert.Contains("too many sign-in attempts", Error(last));

        // With a loose throttle an attacker can still reach the lockout; the owner's token keeps working and an admin unlocks.
        using var loose = Host(new Dictionary<string, string?> { ["Portal:Accounts:SignInsPerAccountPerMinute"] = "100", ["Portal:Accounts:SignInsPerAddressPerMinute"] = "100" });
        var victim = await TestAccounts.CreateAsync(loose, Roles.Researcher, password: Password);
        using var attacker = loose.Api();
        for (var i = 0; i < 10; i++) await SignIn(attacker, victim.UserName, "wrong password here");
        using var victimBrowser = loose.Api();
        Assert.DoesNotContain("portal.auth=", string.Join(";", (await SignIn(victimBrowser, victim.UserName, Password)).Headers.TryGetValues("Set-Cookie", out var c) ? c : []));
        using var script = loose.ApiWithToken(victim.Token);
        Assert.True((await loose.GetJson(script, "/api/account")).GetProperty("authenticated").GetBoolean());
        using var admin = await loose.ApiAs(Roles.Admin);
        Assert.Equal(HttpStatusCode.Forbidden, (await script.PostAsync($"/api/admin/users/{victim.UserName}/unlock", null)).StatusCode);
        await loose.PostJson(admin, $"/api/admin/users/{victim.UserName}/unlock", new { });
        Assert.Equal("/", (await SignIn(victimBrowser, victim.UserName, Password)).Headers.Location!.OriginalString);
    }

    public void Dispose() => _dir.Dispose();
}
