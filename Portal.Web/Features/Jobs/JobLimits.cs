using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Data.Entities;
using Portal.Web.Configuration;
using Portal.Web.Http;

namespace Portal.Web.Features.Jobs;

/// <summary>
/// Caps on what one account may queue (Portal:Limits:Researcher / :Admin): iterations, restarts, items and FARE steps per
/// job, and jobs queued or running at once. Jobs the portal queues itself (the demo, re-runs of its own) have no submitter
/// and no caps. A refusal is a 400 naming the setting (a per-job cap) or a 429 (the queue cap).
/// </summary>
public sealed class JobLimits(IOptions<PortalOptions> options)
{
    public sealed record Caps(RoleLimits Limits, string Role, string UserId);

    /// <summary>The caps of the submitter's role; null for jobs the portal queues itself.</summary>
    public async Task<Caps?> ForAsync(PortalDbContext db, string? userId, CancellationToken ct)
    {
        if (userId == null) return null;
        var isAdmin = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == userId && r.Name == Roles.Admin select ur).AnyAsync(ct);
        return isAdmin ? new Caps(options.Value.Limits.Admin, "Admin", userId) : new Caps(options.Value.Limits.Researcher, "Researcher", userId);
    }

    /// <summary>Every per-job cap, then the queue cap for <paramref name="adding"/> new jobs.</summary>
    public static async Task EnforceAsync(PortalDbContext db, Caps? caps, IEnumerable<(JobConfig Config, int Items)> jobs, CancellationToken ct, bool queueOnly = false)
    {
        if (caps == null) return;
        var list = jobs.ToList();
        if (!queueOnly) foreach (var (c, items) in list) CheckJob(caps.Limits, c, items, caps.Role);
        await CheckQueueAsync(db, caps.Limits, caps.UserId, list.Count, caps.Role, ct);
    }

    /// <summary>JobConfig.Attack of a FARE training job (Features/Robustify/FareSettings.cs): limited by steps, not items.</summary>
    public const string FareAttack = "fare";

    public static void CheckJob(RoleLimits limits, JobConfig c, int items, string role)
    {
        var at = $"Portal:Limits:{role}";
        if (c.Attack == FareAttack)
        {
            if (c.Iterations > limits.MaxFareSteps) throw new ArgumentException($"steps {c.Iterations} is over the limit of {limits.MaxFareSteps} for your role ({at}:MaxFareSteps)");
            return;
        }
        // An audit is a dozen attack runs (docs/two-afc.md): the operators decide which results get one.
        if (c.Attack == "audit" && role != "Admin") throw new UnauthorizedAccessException("attack audits are queued by admins (they cost a dozen attack runs)");
        if (items > limits.MaxItems) throw new ArgumentException($"this job would evaluate {items} items, over the limit of {limits.MaxItems} for your role ({at}:MaxItems): set a limit");
        if (!c.IsAttack) return;
        if (c.Attack == "square")
        {
            if (c.Queries > limits.MaxQueries) throw new ArgumentException($"queries {c.Queries} is over the limit of {limits.MaxQueries} for your role ({at}:MaxQueries)");
        }
        else if (c.Iterations > limits.MaxIterations) throw new ArgumentException($"iterations {c.Iterations} is over the limit of {limits.MaxIterations} for your role ({at}:MaxIterations)");
        if (c.Restarts > limits.MaxRestarts) throw new ArgumentException($"restarts {c.Restarts} is over the limit of {limits.MaxRestarts} for your role ({at}:MaxRestarts)");
    }

    public static async Task CheckQueueAsync(PortalDbContext db, RoleLimits limits, string userId, int adding, string role, CancellationToken ct)
    {
        var active = await db.Jobs.CountAsync(j => j.SubmittedBy == userId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running), ct);
        if (active + adding > limits.MaxQueuedJobs)
            throw new QuotaExceededException($"you have {active} jobs queued or running; {adding} more would pass the limit of {limits.MaxQueuedJobs} (Portal:Limits:{role}:MaxQueuedJobs): wait for some to finish or cancel them");
    }
}
