using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Portal.Data.Accounts;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Accounts;

/// <summary>Identity on the portal database, cookie sign-in for browsers, bearer API tokens for scripts, and the policies.</summary>
public static class AccountsSetup
{
    /// <summary>Picks the bearer handler when the request carries a bearer token, the Identity cookie otherwise.</summary>
    public const string PortalScheme = "portal";
    public const string SignInPath = "/account/signin";
    /// <summary>Where the sign-in form posts (the page's own path also takes POSTs, for Blazor forms).</summary>
    public const string SignInPostPath = "/account/signin/submit";
    public const string SignOutPath = "/account/signout";
    public const string SignOutPostPath = "/account/signout/submit";
    public const string DeniedPath = "/account/denied";

    public static void AddPortalAccounts(this IServiceCollection services)
    {
        services.AddPortalIdentityCore().AddSignInManager().AddDefaultTokenProviders();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = PortalScheme;
                o.DefaultChallengeScheme = PortalScheme;
                o.DefaultForbidScheme = PortalScheme;
            })
            .AddPolicyScheme(PortalScheme, "cookie or API token", o => o.ForwardDefaultSelector = ctx =>
                ApiTokenAuthenticationHandler.BearerToken(ctx.Request) != null ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, WorkerTokenAuthenticationHandler>(WorkerTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = SignInPath;
            o.LogoutPath = SignOutPath;
            o.AccessDeniedPath = DeniedPath;
            o.Cookie.Name = CrossSiteRequestGuard.CookieName;
            o.Cookie.HttpOnly = true;
            // Lax: a cross-site form cannot post with the cookie (CSRF on the cookie-authenticated API), links still sign in.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(14);
            // Scripts and fetch() calls get status codes, not a redirect to an HTML page.
            o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized, "sign in or send a personal API token (Authorization: Bearer <token>)");
            o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden, "your account's role does not allow this");
        });
        // Every request re-reads the security stamp, so a sign-out (which changes it) invalidates copied cookies at once.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        services.AddSingleton<SignInThrottle>();
        services.AddAuthorization(Policies.Add);
        services.AddCascadingAuthenticationState();

        // Cookie and antiforgery keys live in the data folder, so sign-ins survive restarts and move with the data.
        services.AddDataProtection();
        services.AddOptions<KeyManagementOptions>().Configure<DataPaths, ILoggerFactory>((o, paths, logs) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(paths.Root, "keys")), logs));
    }

    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status, string error)
    {
        if (!IsApi(ctx.Request))
        {
            ctx.Response.Redirect(ctx.RedirectUri);
            return Task.CompletedTask;
        }
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(new { error });
    }

    /// <summary>
    /// Creates the admin named by Portal:Admin:UserName / Portal:Admin:Password when the database has no admin yet
    /// (a fresh install); does nothing once an admin exists, so the configured password is never forced back.
    /// </summary>
    public static async Task SeedConfiguredAdminAsync(IServiceProvider services, IConfiguration config, ILogger log)
    {
        var name = config["Portal:Admin:UserName"];
        var password = config["Portal:Admin:Password"];
        if (string.IsNullOrWhiteSpace(name)) return;
        using var scope = services.CreateScope();
        var provisioner = scope.ServiceProvider.GetRequiredService<AccountProvisioner>();
        try
        {
            if (string.IsNullOrEmpty(password))
            {
                await provisioner.EnsureRolesAsync();
                var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
                if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count == 0)
                    throw new InvalidOperationException("Portal:Admin:UserName is set but Portal:Admin:Password is empty; set both (or use `portal user add NAME --role admin`)");
                return;
            }
            var created = await provisioner.EnsureAdminAsync(name, password);
            if (created != null) log.LogInformation("created admin '{Name}' from configuration (Portal:Admin)", created.UserName);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"Portal:Admin: {e.Message}", e);
        }
    }
}
