using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data.Accounts;

namespace Portal.Tests.Web.Support;

/// <summary>For browser tests that upload, submit or cancel: a fresh account in a role, signed in through the real form.</summary>
public static class BrowserSignIn
{
    public const string Password = "browser test passphrase";

    /// <summary>Creates a user in <paramref name="role"/> on the running portal; returns its user name.</summary>
    public static async Task<string> CreateUserAsync(IServiceProvider portalServices, string role)
    {
        var name = $"{role}-{Guid.NewGuid():N}"[..(role.Length + 7)];
        using var scope = portalServices.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AccountProvisioner>().AddUserAsync(name, role, Password);
        return name;
    }

    /// <summary>Fills and posts the sign-in form (the page must be on it); waits until the browser has left the form.</summary>
    public static async Task SubmitFormAsync(IPage page, string userName)
    {
        await page.FillAsync("#signin-username", userName);
        await page.FillAsync("#signin-password", Password);
        await page.ClickAsync("#signin-submit");
        try { await page.WaitForURLAsync(u => !u.Contains("/account/signin")); }
        catch (TimeoutException e)
        {
            // Once, under a full suite's load, the browser never left the form: say what the page showed, to find out why.
            var body = await page.InnerTextAsync("body");
            throw new TimeoutException($"signing in as {userName}: still on {page.Url} after 60 s; the page says: {body[..Math.Min(body.Length, 600)]}", e);
        }
    }

    /// <summary>A new user in <paramref name="role"/>, signed in; the page ends on <paramref name="returnUrl"/>.</summary>
    public static async Task<string> SignInAsync(IPage page, IServiceProvider portalServices, string role = Roles.Researcher, string returnUrl = "/")
    {
        var name = await CreateUserAsync(portalServices, role);
        await page.GotoAsync($"/account/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        await SubmitFormAsync(page, name);
        return name;
    }
}
