using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Portal.Data.Accounts;

namespace Portal.Web.Accounts;

/// <summary>
/// Form posts that set and clear the Identity cookie (a Blazor circuit cannot set cookies), plus "who am I" for scripts.
/// Form-bound minimal endpoints validate the antiforgery token (UseAntiforgery); a post without it is refused with 400.
/// </summary>
public static class AccountEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(AccountsSetup.SignInPath, async ([FromForm] SignInForm form, SignInManager<PortalUser> signIn) =>
        {
            var returnUrl = SafeReturnUrl(form.ReturnUrl);
            if (string.IsNullOrWhiteSpace(form.UserName) || string.IsNullOrEmpty(form.Password))
                return Back("enter your user name and password", returnUrl, form.UserName);
            var r = await signIn.PasswordSignInAsync(form.UserName.Trim(), form.Password, form.RememberMe == "on" || form.RememberMe == "true", lockoutOnFailure: true);
            if (r.Succeeded) return Results.LocalRedirect(returnUrl);
            return Back(r.IsLockedOut ? "too many failed attempts: this account is locked for a few minutes" : "wrong user name or password", returnUrl, form.UserName);
        });

        app.MapPost(AccountsSetup.SignOutPath, async ([FromForm] SignOutForm form, SignInManager<PortalUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect(SafeReturnUrl(form.ReturnUrl));
        });

        app.MapGet("/api/account", (HttpContext ctx) =>
        {
            var u = ctx.User;
            return u.Identity?.IsAuthenticated == true
                ? Results.Ok(new { authenticated = true, user_id = u.UserId(), user_name = u.Identity.Name, roles = Roles.All.Where(u.IsInRole), scheme = u.Identity.AuthenticationType })
                : Results.Ok(new { authenticated = false });
        });
    }

    /// <summary>Only paths on this site: an absolute or protocol-relative URL would make the sign-in page an open redirect.</summary>
    public static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    private static IResult Back(string error, string returnUrl, string? userName) =>
        Results.Redirect($"{AccountsSetup.SignInPath}?error={Uri.EscapeDataString(error)}&returnUrl={Uri.EscapeDataString(returnUrl)}&user={Uri.EscapeDataString(userName ?? "")}");

    public sealed class SignInForm
    {
        [FromForm(Name = "username")] public string? UserName { get; set; }
        [FromForm(Name = "password")] public string? Password { get; set; }
        [FromForm(Name = "remember")] public string? RememberMe { get; set; }
        [FromForm(Name = "returnUrl")] public string? ReturnUrl { get; set; }
    }

    public sealed class SignOutForm
    {
        [FromForm(Name = "returnUrl")] public string? ReturnUrl { get; set; }
    }
}
