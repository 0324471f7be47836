using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Progress;
using Portal.Web.Http;

namespace Portal.Web.Features.Jobs;

/// <param name="BenchmarkId">The dataset to run on (the API's <c>benchmark_id</c>): a benchmark, or for the portal's own
/// gallery and FARE services a gallery or training-image set.</param>
public sealed record JobRequest(int EncoderId, int BenchmarkId, string[]? Presets = null, JobConfig? Config = null, int? Iterations = null, int? Limit = null, int Seed = 0);

public sealed record SubmittedJob(JobRecord Job, string Outcome);

/// <summary>
/// Turns requests into jobs. An identical request (same checkpoint sha256, benchmark version and configuration key)
/// reuses the finished result — the new job is created already succeeded and linked to it — or joins the identical
/// job already queued or running.
/// </summary>
public sealed class JobQueue(IDbContextFactory<PortalDbContext> dbFactory, Dispatch.JobDispatcher dispatcher, JobLimits limits)
{
    public const string Queued = "queued", ReusedResult = "reused-result", AlreadyQueued = "already-queued";

    /// <param name="operatorConfig">The configuration was set by an operator (a gallery's protocol), not by the submitter:
    /// only the queue cap applies to it.</param>
    /// <param name="runsPerItem">How many units of progress the worker counts per benchmark item (an inversion gallery: one
    /// run per target and seed), so a queued job's total is the one its worker reports and the queue and the job page agree.</param>
    public async Task<IReadOnlyList<SubmittedJob>> SubmitAsync(JobRequest req, CancellationToken ct, string? submittedBy = null, bool operatorConfig = false, int runsPerItem = 1)
    {
        Presets.ValidateRequest(req.Iterations, req.Limit);
        var configs = new List<(string Preset, JobConfig Config)>();
        if (req.Config != null) configs.Add(("custom", req.Config));
        foreach (var p in req.Presets ?? []) configs.Add((p, Presets.Config(p, req.Iterations, req.Limit, req.Seed)));
        if (configs.Count == 0) throw new ArgumentException("give at least one preset (clean, linf-4, l2-3) or a config");
        foreach (var (_, c) in configs) Presets.Validate(c);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var encoder = await db.Encoders.FindAsync([req.EncoderId], ct) ?? throw new KeyNotFoundException($"no encoder {req.EncoderId}");
        var bench = await db.Datasets.FindAsync([req.BenchmarkId], ct) ?? throw new KeyNotFoundException($"no benchmark {req.BenchmarkId}");
        if (encoder.Status != EncoderStatus.Ready)
            throw new InvalidOperationException($"encoder {encoder.Id} ({encoder.DisplayName}) is {encoder.Status.ToString().ToLowerInvariant()}" +
                (encoder.RejectReason != null ? $": {encoder.RejectReason}" : "") + "; only ready encoders can be queued");
        if ((req.Presets ?? []).FirstOrDefault(p => !Presets.AllowedFor(bench.TaskKind).Contains(p)) is { } foreign)
            throw new ArgumentException($"preset '{foreign}' does not belong to {bench.Name}, a {bench.TaskKind.Key()} benchmark (its presets: {string.Join(", ", Presets.AllowedFor(bench.TaskKind))})");
        // Square attacks each task's own loss (2AFC margin, retrieval embedding shift, detection target); the audit is 2AFC's.
        if (configs.Any(c => c.Config.Attack == "square") && bench.TaskKind is not (TaskKind.TwoAfc or TaskKind.Retrieval or TaskKind.Detection))
            throw new ArgumentException($"the square attack runs on 2AFC, retrieval and detection benchmarks; {bench.Name} is a {bench.TaskKind.Key()} benchmark");
        if (configs.Any(c => c.Config.Attack == "audit") && bench.TaskKind != TaskKind.TwoAfc)
            throw new ArgumentException($"the attack audit runs on 2AFC benchmarks; {bench.Name} is a {bench.TaskKind.Key()} benchmark (use APGD, or Square as a check)");
        await JobLimits.EnforceAsync(db, await limits.ForAsync(db, submittedBy, ct), configs.Select(c => (c.Config, Math.Min(c.Config.Limit ?? int.MaxValue, bench.ItemCount))), ct, queueOnly: operatorConfig);

        var outcomes = new List<SubmittedJob>();
        foreach (var (preset, config) in configs)
        {
            var key = config.Key;
            var total = Math.Min(config.Limit ?? int.MaxValue, bench.ItemCount) * Math.Max(1, runsPerItem);
            var result = await db.Results.AsNoTracking().FirstOrDefaultAsync(r => r.EncoderSha256 == encoder.Sha256 && r.DatasetVersion == bench.VersionHash && r.ConfigKey == key, ct);
            if (result != null)
            {
                var reused = NewJob(encoder, bench, preset, config, total, submittedBy);
                reused.Status = JobStatus.Succeeded;
                reused.ResultId = result.Id;
                reused.ReusedResult = true;
                reused.Done = reused.Total = result.N;
                reused.CleanValue = result.CleanValue;
                reused.RobustValue = result.RobustValue;
                reused.StartedAt = reused.FinishedAt = reused.CreatedAt;
                db.Jobs.Add(reused);
                await db.SaveChangesAsync(ct);
                outcomes.Add(new SubmittedJob(reused, ReusedResult));
                continue;
            }
            var active = await db.Jobs.FirstOrDefaultAsync(j => j.EncoderId == encoder.Id && j.DatasetId == bench.Id && j.ConfigKey == key
                && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running), ct);
            if (active != null) { outcomes.Add(new SubmittedJob(active, AlreadyQueued)); continue; }
            var job = NewJob(encoder, bench, preset, config, total, submittedBy);
            db.Jobs.Add(job);
            await db.SaveChangesAsync(ct);
            outcomes.Add(new SubmittedJob(job, Queued));
            dispatcher.EnqueueJob(job.Id, job.Queue);
        }
        return outcomes;
    }

    /// <summary>A queued job is cancelled at once; a running one is stopped by its worker, which reads the flag every second.</summary>
    public async Task<JobRecord> CancelAsync(int jobId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.Jobs.FindAsync([jobId], ct) ?? throw new KeyNotFoundException($"no job {jobId}");
        if (job.Status == JobStatus.Queued)
        {
            job.Status = JobStatus.Cancelled;
            job.FinishedAt = DateTime.UtcNow;
            await db.SaveChangesAsync(ct);
        }
        else if (job.Status == JobStatus.Running)
        {
            job.CancelRequested = true;
            await db.SaveChangesAsync(ct);
        }
        else
            throw new StateConflictException($"job {jobId} is already {job.Status.ToString().ToLowerInvariant()}: there is nothing to cancel", job.Status.ToString().ToLowerInvariant());
        return job;
    }

    private JobRecord NewJob(EncoderRecord e, DatasetRecord b, string preset, JobConfig config, int total, string? submittedBy) => NewJob(e, b, preset, config, total, submittedBy, dispatcher.JobQueue);

    private static JobRecord NewJob(EncoderRecord e, DatasetRecord b, string preset, JobConfig config, int total, string? submittedBy, string queue) => new()
    {
        SubmittedBy = submittedBy,
        EncoderId = e.Id, DatasetId = b.Id, Preset = preset, Config = config.Clone(), ConfigKey = config.Key,
        Status = JobStatus.Queued, Total = total, CreatedAt = DateTime.UtcNow, Queue = queue,
    };
}
