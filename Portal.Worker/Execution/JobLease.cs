using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Worker.Execution;

/// <summary>
/// While a job runs: every second reads its cancel flag (a cancel from any web node reaches the job within about a
/// second), and renews the lease well before it lapses. A renewal that finds the job taken over stops this run.
/// </summary>
public sealed class JobLease : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public JobLease(IDbContextFactory<PortalDbContext> dbFactory, int jobId, string worker, TimeSpan lease, CancellationTokenSource job, ILogger log)
    {
        _loop = Task.Run(async () =>
        {
            var renewEvery = TimeSpan.FromTicks(lease.Ticks / 4);
            var lastRenew = DateTime.UtcNow;
            while (!_stop.IsCancellationRequested)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token); } catch (OperationCanceledException) { break; }
                try
                {
                    await using var db = await dbFactory.CreateDbContextAsync();
                    var state = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.CancelRequested, j.WorkerId, j.Status }).SingleOrDefaultAsync();
                    if (state == null || state.CancelRequested || state.WorkerId != worker || state.Status != JobStatus.Running)
                    {
                        if (state is { CancelRequested: false }) log.LogWarning("job {Job} is no longer this worker's ({Status} on {Other}); stopping", jobId, state.Status, state.WorkerId);
                        job.Cancel();
                        break;
                    }
                    if (DateTime.UtcNow - lastRenew >= renewEvery)
                    {
                        var until = DateTime.UtcNow + lease;
                        await db.Jobs.Where(j => j.Id == jobId && j.WorkerId == worker && j.Status == JobStatus.Running)
                            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, until));
                        lastRenew = DateTime.UtcNow;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A database hiccup is not a reason to stop the engine; the lease has slack for several misses.
                    log.LogWarning("job {Job}: could not renew its lease: {Message}", jobId, e.Message);
                }
            }
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
