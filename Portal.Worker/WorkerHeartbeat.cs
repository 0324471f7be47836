using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;
using Portal.Web.Dispatch;

namespace Portal.Worker;

/// <summary>
/// Every two seconds: this worker's row in the workers table (device, queues, current job, heartbeat), and a look for
/// work whose worker is gone (<see cref="WorkerLoss.ReapAsync"/>). A database it cannot reach is retried with a growing
/// pause and said in the log, never a crash. When the supervising parent dies the worker stops too (no orphans).
/// </summary>
public sealed class WorkerHeartbeat(
    IDbContextFactory<PortalDbContext> dbFactory, WorkerIdentity me, WorkerLoss loss, IHostApplicationLifetime lifetime,
    WorkerParent parent, ILogger<WorkerHeartbeat> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var failures = 0;
        var started = DateTime.UtcNow;
        while (!stop.IsCancellationRequested)
        {
            if (!parent.Alive())
            {
                log.LogWarning("the supervising process {Pid} is gone: stopping", parent.Pid);
                lifetime.StopApplication();
                return;
            }
            try
            {
                await BeatAsync(started, stop);
                await loss.ReapAsync(stop);
                if (failures > 0) log.LogInformation("database reachable again after {Failures} failed attempt(s)", failures);
                failures = 0;
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                failures++;
                var wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(failures, 5))));
                log.LogWarning("cannot reach the database ({Message}); retrying in {Wait:F0} s (attempt {N})", e.Message, wait.TotalSeconds, failures);
                try { await Task.Delay(wait, stop); } catch (OperationCanceledException) { return; }
                continue;
            }
            try { await Task.Delay(Interval, stop); } catch (OperationCanceledException) { return; }
        }
    }

    private async Task BeatAsync(DateTime started, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Workers.SingleOrDefaultAsync(w => w.Name == me.Name, ct);
        if (row == null) db.Workers.Add(row = new WorkerRecord { Name = me.Name });
        row.Host = Environment.MachineName;
        row.ProcessId = Environment.ProcessId;
        row.Device = me.Device;
        row.Queues = string.Join(",", me.Queues);
        row.Threads = me.Threads;
        if (row.StoppedAt != null || row.StartedAt < started) { row.StartedAt = started; row.ExitReason = null; }
        row.StoppedAt = null;
        row.HeartbeatAt = DateTime.UtcNow;
        row.CurrentJobId = me.CurrentJobId;
        row.CurrentValidationId = me.CurrentValidationId;
        await db.SaveChangesAsync(ct);
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.Workers.Where(w => w.Name == me.Name).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.StoppedAt, DateTime.UtcNow).SetProperty(w => w.ExitReason, "stopped")
                .SetProperty(w => w.CurrentJobId, (int?)null).SetProperty(w => w.CurrentValidationId, (int?)null), ct);
        }
        catch (Exception e) { log.LogWarning("could not record this worker's stop: {Message}", e.Message); }
    }
}

/// <summary>The supervising process (the web, or `portal worker`'s supervisor), if one was named with --parent-pid.</summary>
public sealed record WorkerParent(int? Pid)
{
    public bool Alive()
    {
        if (Pid is not { } pid) return true;
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
