using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Portal.Data.Accounts;

namespace Portal.Web.Features.Accounts;

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
        app.MapPost(AccountsSetup.SignInPostPath, async (HttpContext ctx, IAntiforgery antiforgery, SignInManager<PortalUser> signIn, SignInThrottle throttle) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            string? userName = form["username"], password = form["password"], remember = form["remember"];
            var returnUrl = SafeReturnUrl(form["returnUrl"]);
            if (!await antiforgery.IsRequestValidAsync(ctx))
                return Back("the sign-in form expired or did not come from this site; please sign in again", returnUrl, userName);
            if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password) || userName.Length > 256 || password.Length > 1024)
                return Back("enter your user name and password", returnUrl, userName);
            if (throttle.Attempt(ctx.Connection.RemoteIpAddress?.ToString(), userName) is { } wait)
                return Back($"too many sign-in attempts; try again in {Math.Ceiling(wait.TotalSeconds):0} s", returnUrl, userName);
            if (await PasswordSignInAsync(signIn, userName.Trim(), password, remember is "true" or "on")) return Results.LocalRedirect(returnUrl);
            // One answer for an unknown name, a wrong password and a locked account: none tells which accounts exist.
            return Back(FailedSignIn, returnUrl, userName);
        }).DisableAntiforgery();

        app.MapPost(AccountsSetup.SignOutPostPath, async (HttpContext ctx, IAntiforgery antiforgery, SignInManager<PortalUser> signIn) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            // A sign-out posted from another site is ignored.
            if (await antiforgery.IsRequestValidAsync(ctx))
            {
                // A new security stamp makes every cookie issued before now invalid (a copied cookie dies with the sign-out).
                if (await signIn.UserManager.GetUserAsync(ctx.User) is { } user) await signIn.UserManager.UpdateSecurityStampAsync(user);
                await signIn.SignOutAsync();
            }
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

    /// <summary>Only paths on this site: an absolute or protocol-relative URL would make the sign-in page an open redirect.
    /// Control characters are refused too (browsers drop a tab or newline, so "/\t/evil.example" is protocol-relative,
    /// and LocalRedirect throws on them).</summary>
    public static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
        && !url.Any(char.IsControl) && url.Length <= 2000 ? url : "/";

    public const string FailedSignIn = "wrong user name or password (after repeated failures an account pauses sign-in for a few minutes)";

    /// <summary>
    /// Password sign-in that costs the same whatever the outcome: an unknown name and a locked account verify the password
    /// against a dummy hash, so answer time does not tell them from a wrong password (Identity answers both in ~0 ms).
    /// </summary>
    private static async Task<bool> PasswordSignInAsync(SignInManager<PortalUser> signIn, string userName, string password, bool remember)
    {
        var users = signIn.UserManager;
        var user = await users.FindByNameAsync(userName);
        if (user == null || await users.IsLockedOutAsync(user))
        {
            users.PasswordHasher.VerifyHashedPassword(Dummy, DummyHash.Value, password);
            return false;
        }
        var r = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (!r.Succeeded) return false;
        await signIn.SignInAsync(user, remember);
        return true;
    }

    private static readonly PortalUser Dummy = new() { UserName = "nobody" };
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<PortalUser>().HashPassword(Dummy, Guid.NewGuid().ToString()));

    private static IResult Back(string error, string returnUrl, string? userName) =>
        Results.Redirect($"{AccountsSetup.SignInPath}?error={Uri.EscapeDataString(error)}&returnUrl={Uri.EscapeDataString(returnUrl)}&user={Uri.EscapeDataString(userName ?? "")}");

}
