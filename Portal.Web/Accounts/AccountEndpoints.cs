using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Portal.Data.Accounts;

namespace Portal.Web.Accounts;

/// <summary>
/// Form posts that set and clear the Identity cookie (a Blazor circuit cannot set cookies), plus "who am I" for scripts.
/// Both check the antiforgery token that the forms carry.
/// </summary>
public static class AccountEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // The antiforgery token is checked here rather than by form binding, so an expired form sends the visitor back
        // to the sign-in page with a reason instead of to an error page.
        app.MapPost(AccountsSetup.SignInPostPath, async (HttpContext ctx, IAntiforgery antiforgery, SignInManager<PortalUser> signIn) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            string? userName = form["username"], password = form["password"], remember = form["remember"];
            var returnUrl = SafeReturnUrl(form["returnUrl"]);
            if (!await antiforgery.IsRequestValidAsync(ctx))
                return Back("the sign-in form expired or did not come from this site; please sign in again", returnUrl, userName);
            if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
                return Back("enter your user name and password", returnUrl, userName);
            var r = await signIn.PasswordSignInAsync(userName.Trim(), password, remember is "true" or "on", lockoutOnFailure: true);
            if (r.Succeeded) return Results.LocalRedirect(returnUrl);
            return Back(r.IsLockedOut ? "too many failed attempts: this account is locked for a few minutes" : "wrong user name or password", returnUrl, userName);
        }).DisableAntiforgery();

        app.MapPost(AccountsSetup.SignOutPostPath, async (HttpContext ctx, IAntiforgery antiforgery, SignInManager<PortalUser> signIn) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            // A sign-out posted from another site is ignored.
            if (await antiforgery.IsRequestValidAsync(ctx)) await signIn.SignOutAsync();
            return Results.LocalRedirect(SafeReturnUrl(form["returnUrl"]));
        }).DisableAntiforgery();

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

}
