using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data.Accounts;

namespace Portal.Web.Features.Accounts;

/// <summary>Authenticates <c>Authorization: Bearer &lt;personal API token&gt;</c> as the token's owner, with the owner's roles.</summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokens tokens, UserManager<PortalUser> users, IUserClaimsPrincipalFactory<PortalUser> principals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>The bearer token in the request, or null when the request carries none.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken(Request);
        if (token == null) return AuthenticateResult.NoResult();
        var record = await tokens.ResolveAsync(token, Context.RequestAborted);
        if (record == null) return AuthenticateResult.Fail("unknown or revoked API token");
        var user = await users.FindByIdAsync(record.UserId);
        if (user == null) return AuthenticateResult.Fail("the token's user no longer exists");
        // A password lockout (failed sign-ins, which anyone can cause) does not stop the owner's scripts: a token is its own
        // secret. An admin revokes tokens to shut an account out.
        // Same claims (id, name, roles) as a cookie sign-in, under this scheme's name.
        var made = await principals.CreateAsync(user);
        var identity = new ClaimsIdentity(made.Claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim("api_token_id", record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure == null ? "Bearer" : $"Bearer error=\"invalid_token\"";
        await Response.WriteAsJsonAsync(new { error = failure ?? "sign in or send a personal API token (Authorization: Bearer <token>)" });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(new { error = "your account's role does not allow this" });
    }
}
