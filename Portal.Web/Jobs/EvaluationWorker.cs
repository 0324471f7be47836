using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Tasks;
using Portal.Web.Configuration;
using Portal.Web.Jobs.Runners;
using Portal.Web.Progress;
using TorchSharp;

namespace Portal.Web.Jobs;

/// <summary>
/// The single evaluation worker. It runs on its own thread (never Kestrel's), takes queued jobs in id order from the
/// database, and runs them through the engine with per-item records so work survives a crash. On start it re-queues
/// jobs a dead process left running; they resume from their records. A host shutdown leaves the running job as it is
/// (exactly what a crash would), so the same recovery path picks it up.
/// </summary>
public sealed class EvaluationWorker(
    IDbContextFactory<PortalDbContext> dbFactory, IOptions<PortalOptions> options, JobRunners runners, DataPaths paths,
    WorkerSignal signal, ProgressBroadcaster broadcaster, ILogger<EvaluationWorker> log) : BackgroundService
{
    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Worker.Enabled) { log.LogInformation("evaluation worker disabled (Portal:Worker:Enabled=false)"); return Task.CompletedTask; }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { Loop(stoppingToken); done.TrySetResult(); }
            catch (Exception e) { log.LogCritical(e, "evaluation worker crashed"); done.TrySetException(e); }
        }) { IsBackground = true, Name = "portal-engine-worker" };
        thread.Start();
        return done.Task;
    }

    private void Loop(CancellationToken stopping)
    {
        var threads = options.Value.Worker.Threads;
        if (threads > 0) torch.set_num_threads(threads);
        RecoverInterrupted();
        var poll = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.Worker.PollSeconds));
        while (!stopping.IsCancellationRequested)
        {
            var job = ClaimNext();
            if (job == null) { signal.WaitForWork(poll, stopping); continue; }
            Run(job, stopping);
        }
    }

    /// <summary>Jobs marked running belong to a process that is gone (there is one worker): queue them again.</summary>
    private void RecoverInterrupted()
    {
        using var db = dbFactory.CreateDbContext();
        var n = db.Jobs.Where(j => j.Status == JobStatus.Running)
            .ExecuteUpdate(s => s.SetProperty(j => j.Status, JobStatus.Queued).SetProperty(j => j.WorkerId, (string?)null));
        if (n > 0) log.LogWarning("re-queued {Count} job(s) left running by a previous process; they resume from their item records", n);
    }

    private JobRecord? ClaimNext()
    {
        using var db = dbFactory.CreateDbContext();
        var job = db.Jobs.Where(j => j.Status == JobStatus.Queued).OrderBy(j => j.Id).FirstOrDefault();
        if (job == null) return null;
        job.Status = JobStatus.Running;
        job.Attempts++;
        job.WorkerId = WorkerId;
        job.StartedAt ??= DateTime.UtcNow;
        job.Error = job.ErrorStack = null;
        db.SaveChanges();
        broadcaster.Publish(JobMessages.From(job), immediate: true);
        return job;
    }

    private void Run(JobRecord claimed, CancellationToken stopping)
    {
        using var jobCts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        signal.SetRunning(claimed.Id, jobCts);
        var sink = new JobProgressSink(dbFactory, broadcaster, claimed.Id);
        try
        {
            JobRecord job; EncoderRecord encoder; BenchmarkRecord bench;
            using (var db = dbFactory.CreateDbContext())
            {
                job = db.Jobs.AsNoTracking().Single(j => j.Id == claimed.Id);
                encoder = db.Encoders.AsNoTracking().Single(e => e.Id == job.EncoderId);
                bench = db.Benchmarks.AsNoTracking().Single(b => b.Id == job.BenchmarkId);
            }
            if (job.CancelRequested) throw new OperationCanceledException("cancelled before start");
            log.LogInformation("job {Job}: {Encoder} on {Bench} ({Kind}, {Key}), attempt {Attempt}", job.Id, encoder.DisplayName, bench.Name, bench.TaskKind, job.ConfigKey, job.Attempts);

            var runner = runners.For(bench.TaskKind);
            var artifactsRel = Path.Combine("jobs", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var artifactsDir = Path.Combine(paths.Artifacts, artifactsRel);
            Directory.CreateDirectory(artifactsDir);
            var outcome = runner.Run(new JobRunContext(job, encoder, bench, sink, artifactsDir, jobCts.Token));
            var result = outcome.Result;

            using (var db = dbFactory.CreateDbContext())
            {
                using var tx = db.Database.BeginTransaction();
                var resultId = ResultWriter.Save(db, job, encoder, bench, result, outcome.ArtifactsDir);
                var row = db.Jobs.Single(j => j.Id == job.Id);
                row.Status = JobStatus.Succeeded;
                row.ResultId = resultId;
                row.Done = row.Total = result.N;
                row.CleanAccuracy = result.CleanAccuracy;
                row.RobustAccuracy = result.RobustAccuracy;
                row.Phase = "done";
                row.FinishedAt = DateTime.UtcNow;
                db.SaveChanges();
                tx.Commit();
                broadcaster.Publish(JobMessages.From(row), immediate: true);
            }
            log.LogInformation("job {Job} succeeded: clean {Clean:P1}, robust {Robust:P1}, {Wall:F1}s", job.Id, result.CleanAccuracy, result.RobustAccuracy, result.WallSeconds);
        }
        catch (Exception e) when (stopping.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
        {
            // Host shutting down: leave the job "running"; the next start re-queues it and it resumes from its records.
            log.LogWarning("job {Job} interrupted by shutdown; it resumes on the next start", claimed.Id);
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
        finally
        {
            signal.ClearRunning();
            ReleaseNativeMemory();
        }
    }

    private void Finish(int jobId, JobStatus status, string error, string? stack, JobProgressSink sink)
    {
        using var db = dbFactory.CreateDbContext();
        var row = db.Jobs.Single(j => j.Id == jobId);
        row.Status = status;
        row.Error = error;
        row.ErrorStack = stack;
        row.FinishedAt = DateTime.UtcNow;
        if (sink.Last is { } p) { row.Done = p.Done; row.Total = p.Total; }
        db.SaveChanges();
        broadcaster.Publish(JobMessages.From(row), immediate: true);
    }

    /// <summary>The engine's message, with inner messages when the outer one only wraps them.</summary>
    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x != null; x = x.InnerException)
            if (parts.Count == 0 || !parts[^1].Contains(x.Message, StringComparison.Ordinal)) parts.Add(x.Message);
        return string.Join(" → ", parts);
    }

    public static AttackConfig ToAttack(JobConfig c) => c.IsAttack
        ? new AttackConfig { Kind = "apgd", Norm = c.Norm, Eps = c.Eps, Iterations = c.Iterations, Restarts = c.Restarts, Seed = c.Seed }
        : AttackConfig.None;

    // glibc keeps freed native memory (libtorch tensors) until asked; a long-lived server should give it back between jobs.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static void ReleaseNativeMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (OperatingSystem.IsLinux())
            try { MallocTrim(0); } catch (Exception) { /* not glibc */ }
    }
}
