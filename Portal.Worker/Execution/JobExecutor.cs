using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;
using Portal.Web.Dispatch;
using Portal.Worker.Runners;
using Portal.Engine.Attacks;
using Portal.Engine.Runtime.Memory;

namespace Portal.Worker.Execution;

/// <summary>
/// Runs one portal job in this worker process, as Hangfire hands it over. The job is claimed with a lease (so a second
/// delivery never runs it twice at once), the lease is renewed and the cancel flag read every second while the engine
/// works, and per-item records make a job that lost its worker resume where it was. A shutdown hands the job back.
/// </summary>
public sealed class JobExecutor(
    IDbContextFactory<PortalDbContext> dbFactory, IOptions<PortalOptions> options, JobRunners runners, DataPaths paths,
    WorkerIdentity identity, WorkerLoss loss, RemoteFiles files, ILogger<JobExecutor> log)
{
    private TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(2, options.Value.Dispatch.LeaseSeconds));

    public async Task RunAsync(int jobId, CancellationToken shutdown)
    {
        var claimed = Claim(jobId);
        if (claimed == null) return;
        identity.SetCurrent(jobId: jobId);
        using var jobCts = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        using var watch = new JobLease(dbFactory, jobId, identity.Name, Lease, jobCts, log);
        try
        {
            // The engine is CPU-bound and long: its own thread, never the pool's.
            await Task.Factory.StartNew(() => Run(claimed, jobCts.Token, shutdown), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            identity.SetCurrent();
            NativeHeap.Release();   // a long-lived worker gives back what the job freed
        }
    }

    /// <summary>Takes the job if it is queued (or running with a lapsed lease); null when it is not this worker's to run.</summary>
    private JobRecord? Claim(int jobId)
    {
        using var db = dbFactory.CreateDbContext();
        var job = db.Jobs.SingleOrDefault(j => j.Id == jobId);
        if (job == null) { log.LogWarning("job {Job} does not exist (deleted?)", jobId); return null; }
        var now = DateTime.UtcNow;
        var lapsed = job.Status == JobStatus.Running && (job.LeaseUntil == null || job.LeaseUntil < now);
        if (job.Status != JobStatus.Queued && !lapsed)
        {
            log.LogInformation("job {Job} is {Status}{Who}: nothing to do", jobId, job.Status, job.Status == JobStatus.Running ? $" on {job.WorkerId}" : "");
            return null;
        }
        if (lapsed)
        {
            // Its worker vanished without anyone releasing it (the reaper had not run yet): that attempt died.
            job.Deaths++;
            job.LastDeath ??= $"the worker {job.WorkerId} stopped renewing its lease";
            if (job.Deaths >= options.Value.Dispatch.MaxDeaths)
            {
                job.Status = JobStatus.Failed;
                job.Error = WorkerLoss.JobDeathMessage(job);
                job.FinishedAt = now;
                db.SaveChanges();
                return null;
            }
        }
        job.Status = JobStatus.Running;
        job.Attempts++;
        job.WorkerId = identity.Name;
        job.LeaseUntil = now + Lease;
        job.StartedAt ??= now;
        job.Error = job.ErrorStack = null;
        try { db.SaveChanges(); }
        catch (DbUpdateConcurrencyException) { return null; }
        return job;
    }

    private void Run(JobRecord claimed, CancellationToken jobToken, CancellationToken shutdown)
    {
        var sink = new JobProgressSink(dbFactory, claimed.Id, options.Value.Progress.ThrottleMs);
        try
        {
            JobRecord job; EncoderRecord encoder; DatasetRecord bench;
            using (var db = dbFactory.CreateDbContext())
            {
                job = db.Jobs.AsNoTracking().Single(j => j.Id == claimed.Id);
                encoder = db.Encoders.AsNoTracking().Single(e => e.Id == job.EncoderId);
                bench = db.Datasets.AsNoTracking().Single(b => b.Id == job.DatasetId);
            }
            if (job.CancelRequested) throw new OperationCanceledException("cancelled before start");
            // A worker without the storage root works on a fetched copy (the record in the database keeps the web's path).
            encoder.StoragePath = files.LocalCheckpoint(encoder);
            log.LogInformation("job {Job}: {Encoder} on {Bench} ({Kind}, {Key}), attempt {Attempt}", job.Id, encoder.DisplayName, bench.Name, bench.TaskKind.Key(), job.ConfigKey, job.Attempts);

            var runner = runners.For(bench.TaskKind);
            var artifactsDir = Path.Combine(paths.Artifacts, "jobs", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(artifactsDir);
            var context = new JobRunContext(job, encoder, bench, sink, artifactsDir, jobToken);
            var outcome = TransientNativeFault.Retry(() => runner.Run(context), TransientNativeFault.Retries, (e, n) =>
                log.LogWarning("job {Job}: transient libtorch fault ({Message}); resuming from its stored items (retry {N} of {Max})",
                    job.Id, e.Message.Split('\n')[0], n, TransientNativeFault.Retries));
            var result = outcome.Result;
            files.SendArtifacts(job.Id, artifactsDir);

            using (var db = dbFactory.CreateDbContext())
            {
                using var tx = db.Database.BeginTransaction();
                var resultId = ResultWriter.Save(db, job, encoder, bench, result, outcome.ArtifactsDir);
                var row = db.Jobs.Single(j => j.Id == job.Id);
                row.Status = JobStatus.Succeeded;
                row.ResultId = resultId;
                row.Done = row.Total = result.N;
                row.CleanValue = result.CleanValue;
                row.RobustValue = result.RobustValue;
                row.Phase = "done";
                row.LeaseUntil = null;
                row.FinishedAt = DateTime.UtcNow;
                db.SaveChanges();
                tx.Commit();
            }
            log.LogInformation("job {Job} succeeded: clean {Clean:P1}, robust {Robust:P1}, {Wall:F1}s", job.Id, result.CleanValue, result.RobustValue, result.WallSeconds);
        }
        catch (Exception e) when (shutdown.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
        {
            // The worker is stopping: hand the job back at once (no death counted); another worker resumes it from its records.
            log.LogWarning("job {Job} interrupted by shutdown; handing it back", claimed.Id);
            loss.ReleaseJobAsync(claimed.Id, identity.Name, death: null, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Finish(claimed.Id, JobStatus.Cancelled, "cancelled by request", null, sink);
        }
        catch (Exception e)
        {
            log.LogError(e, "job {Job} failed", claimed.Id);
            Finish(claimed.Id, JobStatus.Failed, Describe(e), e.ToString(), sink);
        }
    }

    private void Finish(int jobId, JobStatus status, string error, string? stack, JobProgressSink sink)
    {
        using var db = dbFactory.CreateDbContext();
        var row = db.Jobs.Single(j => j.Id == jobId);
        if (row.WorkerId != identity.Name || row.Status != JobStatus.Running) return; // taken over meanwhile: not ours to end
        row.Status = status;
        row.Error = error;
        row.ErrorStack = stack;
        row.LeaseUntil = null;
        row.FinishedAt = DateTime.UtcNow;
        if (sink.Last is { } p) { row.Done = p.Done; row.Total = p.Total; }
        db.SaveChanges();
    }

    /// <summary>The engine's message, with inner messages when the outer one only wraps them.</summary>
    internal static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x != null; x = x.InnerException)
            if (parts.Count == 0 || !parts[^1].Contains(x.Message, StringComparison.Ordinal)) parts.Add(x.Message);
        return string.Join(" → ", parts);
    }

    public static AttackConfig ToAttack(JobConfig c) => c.Attack switch
    {
        "square" => new AttackConfig { Kind = "square", Norm = c.Norm, Eps = c.Eps, Queries = c.Queries, Restarts = c.Restarts, Seed = c.Seed },
        "none" => AttackConfig.None,
        _ => new AttackConfig { Kind = "apgd", Norm = c.Norm, Eps = c.Eps, Iterations = c.Iterations, Restarts = c.Restarts, Seed = c.Seed },
    };
}
