using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;

namespace Portal.Web.Dispatch;

/// <summary>
/// What happens to work whose worker is gone. A supervisor that saw its worker process die says so at once
/// (<see cref="WorkerEndedAsync"/>); every worker also looks for running jobs whose lease lapsed and validations whose
/// worker stopped its heartbeat (<see cref="ReapAsync"/>), which covers a machine switched off. Lost work goes back to
/// its queue and resumes from its per-item records — unless its workers died <see cref="DispatchOptions.MaxDeaths"/>
/// times, then it fails with what the last one said and is never retried by itself (an admin can re-run it).
/// </summary>
public sealed class WorkerLoss(IDbContextFactory<PortalDbContext> dbFactory, JobDispatcher dispatcher, IOptions<PortalOptions> options, ILogger<WorkerLoss> log)
{
    private DispatchOptions Dispatch => options.Value.Dispatch;

    /// <summary>A worker process ended; <paramref name="died"/> = it did not stop on request (crash, kill, memory limit).</summary>
    public async Task WorkerEndedAsync(string workerName, string reason, bool died, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var w = await db.Workers.SingleOrDefaultAsync(x => x.Name == workerName, ct);
        if (w != null)
        {
            w.StoppedAt = DateTime.UtcNow;
            w.ExitReason = reason;
            (w.CurrentJobId, w.CurrentValidationId) = (null, null);
            await db.SaveChangesAsync(ct);
        }
        foreach (var jobId in await db.Jobs.Where(j => j.Status == JobStatus.Running && j.WorkerId == workerName).Select(j => j.Id).ToListAsync(ct))
            await ReleaseJobAsync(jobId, workerName, died ? $"the worker process {workerName} died: {reason}" : null, ct);
        foreach (var encId in await db.Encoders.Where(e => e.Status == EncoderStatus.Validating && e.ValidatingWorker == workerName).Select(e => e.Id).ToListAsync(ct))
            await ReleaseValidationAsync(encId, workerName, died ? $"the worker process {workerName} died: {reason}" : null, ct);
        foreach (var fetchId in await db.DatasetFetches.Where(f => f.Status == DatasetFetchStatus.Running && f.WorkerId == workerName).Select(f => f.Id).ToListAsync(ct))
            await ReleaseDatasetFetchAsync(fetchId, workerName, died, ct);
    }

    /// <summary>Running jobs whose lease lapsed, validations held by a worker without a recent heartbeat.</summary>
    public async Task<int> ReapAsync(CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var stale = now - TimeSpan.FromSeconds(Dispatch.LeaseSeconds);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lostJobs = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Running && (j.LeaseUntil == null || j.LeaseUntil < now))
            .Select(j => new { j.Id, j.WorkerId }).ToListAsync(ct);
        var liveWorkers = await db.Workers.AsNoTracking().Where(w => w.StoppedAt == null && w.HeartbeatAt >= stale).Select(w => w.Name).ToListAsync(ct);
        var lostValidations = await db.Encoders.AsNoTracking().Where(e => e.Status == EncoderStatus.Validating && e.ValidatingWorker != null && !liveWorkers.Contains(e.ValidatingWorker))
            .Select(e => new { e.Id, e.ValidatingWorker }).ToListAsync(ct);
        var n = 0;
        foreach (var j in lostJobs)
            if (await ReleaseJobAsync(j.Id, j.WorkerId, $"the worker {j.WorkerId ?? "(unknown)"} stopped renewing its lease (process or machine gone)", ct)) n++;
        foreach (var e in lostValidations)
            if (await ReleaseValidationAsync(e.Id, e.ValidatingWorker, $"the worker {e.ValidatingWorker} stopped its heartbeat (process or machine gone)", ct)) n++;
        var lostFetches = await db.DatasetFetches.AsNoTracking().Where(f => f.Status == DatasetFetchStatus.Running && f.WorkerId != null && !liveWorkers.Contains(f.WorkerId))
            .Select(f => new { f.Id, f.WorkerId }).ToListAsync(ct);
        foreach (var f in lostFetches)
            if (await ReleaseDatasetFetchAsync(f.Id, f.WorkerId, died: true, ct)) n++;
        return n;
    }

    /// <summary>Why a job whose workers kept dying failed (the same words wherever the last death is noticed).</summary>
    public static string JobDeathMessage(JobRecord job) =>
        $"the worker process died {job.Deaths} times while running this job: {job.LastDeath}. It is not retried by itself; an admin can re-run it.";

    /// <summary>Back to the queue (death = null: an orderly stop, not counted), or failed after too many deaths.</summary>
    public async Task<bool> ReleaseJobAsync(int jobId, string? heldBy, string? death, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId && j.Status == JobStatus.Running && j.WorkerId == heldBy, ct);
        if (job == null) return false; // finished, cancelled or taken over meanwhile
        if (death != null) { job.Deaths++; job.LastDeath = death; }
        job.LeaseUntil = null;
        if (job.Deaths >= Dispatch.MaxDeaths)
        {
            job.Status = JobStatus.Failed;
            job.Error = JobDeathMessage(job);
            job.FinishedAt = DateTime.UtcNow;
        }
        else job.Status = job.CancelRequested ? JobStatus.Cancelled : JobStatus.Queued;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return false; }
        if (job.Status == JobStatus.Queued) dispatcher.EnqueueJob(job.Id, job.Queue);
        log.LogWarning("job {Job} released by {Worker} ({Why}): now {Status}", jobId, heldBy, death ?? "orderly stop", job.Status);
        return true;
    }

    /// <summary>A dataset fetch whose worker went away goes back to the queue (the next worker resumes its part files).</summary>
    public async Task<bool> ReleaseDatasetFetchAsync(int fetchId, string? heldBy, bool died, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var f = await db.DatasetFetches.SingleOrDefaultAsync(x => x.Id == fetchId && x.Status == DatasetFetchStatus.Running && x.WorkerId == heldBy, ct);
        if (f == null) return false;
        f.WorkerId = null;
        if (died) f.Deaths++;
        f.UpdatedAt = DateTime.UtcNow;
        if (f.Deaths >= Dispatch.MaxDeaths)
        {
            (f.Status, f.FinishedAt) = (DatasetFetchStatus.Failed, DateTime.UtcNow);
            f.Error = $"the worker process died {f.Deaths} times while fetching this dataset; fetch it again to resume";
        }
        else (f.Status, f.Phase) = (DatasetFetchStatus.Queued, "waiting for a worker (the last one went away)");
        await db.SaveChangesAsync(ct);
        if (f.Status == DatasetFetchStatus.Queued) dispatcher.EnqueueDatasetFetch(f.Id);
        log.LogWarning("dataset fetch {Fetch} released by {Worker}: now {Status}", fetchId, heldBy, f.Status);
        return true;
    }

    public async Task<bool> ReleaseValidationAsync(int encoderId, string? heldBy, string? death, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.Encoders.SingleOrDefaultAsync(x => x.Id == encoderId && x.Status == EncoderStatus.Validating && x.ValidatingWorker == heldBy, ct);
        if (e == null) return false;
        e.ValidatingWorker = null;
        if (death != null) { e.ValidationDeaths++; e.LastDeath = death; }
        if (e.ValidationDeaths >= Dispatch.MaxDeaths)
        {
            e.Status = EncoderStatus.Rejected;
            e.RejectReason = $"the worker process died {e.ValidationDeaths} times while loading this checkpoint: {e.LastDeath}. It is not retried by itself; an admin can re-validate it.";
            e.ValidatedAt = DateTime.UtcNow;
        }
        await db.SaveChangesAsync(ct);
        if (e.Status == EncoderStatus.Validating) dispatcher.EnqueueValidation(e.Id);
        log.LogWarning("validation of encoder {Encoder} released by {Worker} ({Why}): now {Status}", encoderId, heldBy, death ?? "orderly stop", e.Status);
        return true;
    }
}
