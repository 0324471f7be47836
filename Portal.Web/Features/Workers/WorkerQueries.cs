using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Workers;

/// <summary>One worker as the admin page and GET /api/workers show it.</summary>
public sealed record WorkerView(string Name, string Host, int ProcessId, string Device, IReadOnlyList<string> Queues, int Threads,
    DateTime StartedAt, DateTime HeartbeatAt, int? CurrentJobId, int? CurrentValidationId, DateTime? StoppedAt, string? ExitReason, string State);

/// <summary>The workers table read for admins; a worker without a heartbeat for a lease period is "lost".</summary>
public sealed class WorkerQueries(IDbContextFactory<PortalDbContext> dbFactory, IOptions<PortalOptions> options)
{
    public async Task<IReadOnlyList<WorkerView>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stale = DateTime.UtcNow - TimeSpan.FromSeconds(options.Value.Dispatch.LeaseSeconds);
        var rows = await db.Workers.AsNoTracking().OrderBy(w => w.StoppedAt != null).ThenBy(w => w.Name).ToListAsync(ct);
        return rows.Select(w => new WorkerView(w.Name, w.Host, w.ProcessId, w.Device, w.Queues.Split(',', StringSplitOptions.RemoveEmptyEntries), w.Threads,
            w.StartedAt, w.HeartbeatAt, w.CurrentJobId, w.CurrentValidationId, w.StoppedAt, w.ExitReason, StateOf(w, stale))).ToList();
    }

    public static string StateOf(WorkerRecord w, DateTime staleBefore) =>
        w.StoppedAt != null ? "stopped" : w.HeartbeatAt < staleBefore ? "lost" : w.CurrentJobId != null || w.CurrentValidationId != null ? "busy" : "idle";
}
