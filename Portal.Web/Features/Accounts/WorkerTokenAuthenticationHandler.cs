using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Accounts;

/// <summary>
/// `Authorization: Bearer &lt;Portal:Workers:Token&gt;` from a worker that does not mount the storage root. Only the
/// <see cref="Policies.Worker"/> endpoints use this scheme, so the secret opens them and nothing else, and no user's
/// API token opens them. Without a configured token nobody is a worker.
/// </summary>
public sealed class WorkerTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder, IOptions<PortalOptions> portal)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "PortalWorkerToken";
    public const string WorkerRole = "portal-worker";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var expected = portal.Value.Workers.Token;
        var given = ApiTokenAuthenticationHandler.BearerToken(Request);
        if (string.IsNullOrEmpty(expected) || given == null) return Task.FromResult(AuthenticateResult.NoResult());
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
            return Task.FromResult(AuthenticateResult.Fail("not the worker token"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "worker"), new Claim(ClaimTypes.Role, WorkerRole)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
