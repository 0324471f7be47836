using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Portal.Data.Accounts;
using Portal.Data.Entities;

namespace Portal.Web.Features.Accounts;

/// <summary>
/// Who may do what, in one place. Reading (leaderboards, encoder pages, galleries, GET endpoints) needs no account;
/// uploading, registering, submitting and cancelling one's own jobs need <see cref="Researcher"/>; deleting, re-running,
/// registering benchmarks, cancelling anyone's job and allowing TorchScript need <see cref="Admin"/>.
/// </summary>
public static class Policies
{
    /// <summary>A signed-in researcher or admin.</summary>
    public const string Researcher = "researcher";
    /// <summary>A signed-in admin.</summary>
    public const string Admin = "admin";
    /// <summary>A worker without the storage root, with the shared worker token (its own scheme: no user token passes).</summary>
    public const string Worker = "worker";

    public static void Add(AuthorizationOptions o)
    {
        o.AddPolicy(Researcher, p => p.RequireAuthenticatedUser().RequireRole(Roles.Researcher, Roles.Admin));
        o.AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        o.AddPolicy(Worker, p => p.AddAuthenticationSchemes(WorkerTokenAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser().RequireRole(WorkerTokenAuthenticationHandler.WorkerRole));
    }

    public static string? UserId(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true && user.IsInRole(Roles.Admin);

    public static bool IsResearcher(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && (user.IsInRole(Roles.Researcher) || user.IsInRole(Roles.Admin));

    /// <summary>Researchers cancel their own jobs; admins cancel any job (including demo jobs, which have no submitter).</summary>
    public static bool CanCancel(this ClaimsPrincipal user, JobRecord job) =>
        user.IsAdmin() || (user.IsResearcher() && job.SubmittedBy != null && job.SubmittedBy == user.UserId());
}
