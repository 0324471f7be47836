using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Accounts;

/// <summary>Browser sign-in: the static sign-in form posts to the endpoint that sets the Identity cookie, with antiforgery.</summary>
public sealed class SignInTests : IDisposable
{
    private const string Password = "a long enough passphrase";
    private readonly FixturePaths.TempDir _dir = new();
    private readonly PortalHost _host;

    public SignInTests() => _host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?>
    {
        ["Portal:Worker:Enabled"] = "false",
        ["Portal:Admin:UserName"] = "root",
        ["Portal:Admin:Password"] = "configured admin password",
    });

    /// <summary>GETs the sign-in page (which sets the antiforgery cookie on the client) and returns the form's token.</summary>
    internal static async Task<string> FormToken(HttpClient browser, string page = "/account/signin")
    {
        var html = await browser.GetStringAsync(page);
        var m = Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(m.Success, "no antiforgery token in the sign-in form");
        return m.Groups[1].Value;
    }

    internal static FormUrlEncodedContent Form(params (string, string)[] fields) => new(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)));

    [Fact]
    public async Task Sign_in_form_sets_the_cookie_which_authorises_the_api_and_sign_out_clears_it()
    {
        var user = await TestAccounts.CreateAsync(_host, Roles.Researcher, password: Password);
        using var browser = _host.Api(); // keeps cookies, does not follow redirects

        var page = await browser.GetStringAsync("/account/signin");
        Assert.Contains("name=\"username\"", page);
        Assert.Contains("name=\"password\"", page);
        var token = await FormToken(browser);

        var signIn = await browser.PostAsync("/account/signin/submit", Form(("username", user.UserName), ("password", Password), ("returnUrl", "/queue"), ("__RequestVerificationToken", token)));
        Assert.True(signIn.StatusCode == HttpStatusCode.Redirect, await signIn.Content.ReadAsStringAsync());
        Assert.Equal("/queue", signIn.Headers.Location?.OriginalString);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal.auth=") && c.Contains("httponly") && c.Contains("samesite=lax"));

        var who = await _host.GetJson(browser, "/api/account");
        Assert.True(who.GetProperty("authenticated").GetBoolean());
        Assert.Equal(user.UserName, who.GetProperty("user_name").GetString());
        Assert.Equal(IdentityConstants.ApplicationScheme, who.GetProperty("scheme").GetString());
        // The cookie authorises writes (with the portal's CSRF header, as its pages send it) and pages that need a researcher.
        browser.DefaultRequestHeaders.Add("X-Portal-Request", "1");
        await _host.PostJson(browser, "/api/encoders/builtin", new { name = "ssim", size = 16 });
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/tokens")).StatusCode);
        Assert.Contains(user.UserName, await browser.GetStringAsync("/"));
        Assert.Contains("checkpoint-file", await browser.GetStringAsync("/submit")); // the upload page opens for a researcher

        Assert.Contains(user.UserName, await browser.GetStringAsync("/account/signout"));
        var signOutToken = await FormToken(browser, "/account/signout");
        var signOut = await browser.PostAsync("/account/signout/submit", Form(("returnUrl", "/"), ("__RequestVerificationToken", signOutToken)));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.False((await _host.GetJson(browser, "/api/account")).GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public async Task Sign_in_without_the_antiforgery_token_signs_nobody_in_and_says_why()
    {
        var user = await TestAccounts.CreateAsync(_host, Roles.Researcher, password: Password);
        using var browser = _host.Api();
        await FormToken(browser); // the antiforgery cookie alone is not enough
        var r = await browser.PostAsync("/account/signin/submit", Form(("username", user.UserName), ("password", Password)));
        // Back to the form with the reason, and no cookie.
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Contains("form expired or did not come from this site", Uri.UnescapeDataString(r.Headers.Location!.OriginalString));
        Assert.False(r.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("portal.auth=")));
        Assert.False((await _host.GetJson(browser, "/api/account")).GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public async Task Wrong_password_returns_to_the_form_with_a_message_and_external_return_urls_are_ignored()
    {
        var user = await TestAccounts.CreateAsync(_host, Roles.Researcher, password: Password);
        using var browser = _host.Api();
        var wrong = await browser.PostAsync("/account/signin/submit", Form(("username", user.UserName), ("password", "not the password"), ("__RequestVerificationToken", await FormToken(browser))));
        Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
        var back = wrong.Headers.Location!.OriginalString;
        Assert.StartsWith("/account/signin?error=", back);
        Assert.Contains("wrong user name or password", System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync(back)));

        var ok = await browser.PostAsync("/account/signin/submit", Form(("username", user.UserName), ("password", Password), ("returnUrl", "//evil.example/x"), ("__RequestVerificationToken", await FormToken(browser))));
        Assert.Equal("/", ok.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Protected_pages_redirect_anonymous_visitors_to_sign_in_and_the_api_does_not()
    {
        using var browser = _host.Api();
        var page = await browser.GetAsync("/account/tokens");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        var location = page.Headers.Location!;
        var signInUrl = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
        Assert.StartsWith("/account/signin?", signInUrl);
        // The form carries the page to return to after signing in.
        Assert.Contains("name=\"returnUrl\" value=\"/account/tokens\"", await browser.GetStringAsync(signInUrl));
        var submit = await browser.GetAsync("/submit");
        Assert.Equal(HttpStatusCode.Redirect, submit.StatusCode);
        Assert.Contains("returnUrl=%2Fsubmit", submit.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
        var api = await browser.GetAsync("/api/tokens");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Null(api.Headers.Location);
    }

    [Fact]
    public async Task The_configured_admin_is_created_once_and_can_sign_in()
    {
        using var browser = _host.Api();
        var r = await browser.PostAsync("/account/signin/submit", Form(("username", "root"), ("password", "configured admin password"), ("__RequestVerificationToken", await FormToken(browser))));
        Assert.Equal("/", r.Headers.Location?.OriginalString);
        var who = await _host.GetJson(browser, "/api/account");
        Assert.Equal(new[] { "admin" }, who.GetProperty("roles").EnumerateArray().Select(x => x.GetString()!).ToArray());

        // A restart with another configured password does not touch the existing admin.
        _host.Dispose();
        using var again = new PortalHost(_host.DataRoot, new Dictionary<string, string?>
        {
            ["Portal:Worker:Enabled"] = "false", ["Portal:Admin:UserName"] = "root", ["Portal:Admin:Password"] = "a different password",
        });
        using var scope = again.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var root = await users.FindByNameAsync("root");
        Assert.NotNull(root);
        Assert.True(await users.CheckPasswordAsync(root, "configured admin password"));
        Assert.Single(await users.GetUsersInRoleAsync(Roles.Admin));
    }

    public void Dispose()
    {
        _host.Dispose();
        _dir.Dispose();
    }
}
