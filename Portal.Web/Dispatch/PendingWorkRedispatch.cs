using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Dispatch;

/// <summary>
/// At web start-up: queued jobs and waiting validations are handed to Hangfire again. A record is written before its
/// Hangfire job, so a web that died between the two would otherwise leave it waiting forever; a duplicate delivery is
/// harmless (the worker's claim ignores work that is not queued). Nothing that was running is re-run from here:
/// lost running work is the workers' business (<see cref="WorkerLoss"/>), and it stops after too many deaths.
/// </summary>
public sealed class PendingWorkRedispatch(IDbContextFactory<PortalDbContext> dbFactory, JobDispatcher dispatcher, ILogger<PendingWorkRedispatch> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var jobs = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Queued).Select(j => new { j.Id, j.Queue }).ToListAsync(ct);
            foreach (var j in jobs) dispatcher.EnqueueJob(j.Id, j.Queue);
            var validations = await db.Encoders.AsNoTracking().Where(e => e.Status == EncoderStatus.Validating && e.ValidatingWorker == null).Select(e => e.Id).ToListAsync(ct);
            foreach (var id in validations) dispatcher.EnqueueValidation(id);
            foreach (var id in await db.DatasetFetches.AsNoTracking().Where(f => f.Status == DatasetFetchStatus.Queued).Select(f => f.Id).ToListAsync(ct))
                dispatcher.EnqueueDatasetFetch(id);
            if (jobs.Count + validations.Count > 0)
                log.LogInformation("handed {Jobs} queued job(s) and {Validations} waiting validation(s) to the workers again", jobs.Count, validations.Count);
        }
        catch (Exception e) { log.LogError("could not re-dispatch pending work: {Message}", e.Message); }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
