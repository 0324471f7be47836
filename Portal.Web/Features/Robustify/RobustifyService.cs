using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;
using Portal.Web.Features.Jobs;
using Portal.Web.Progress;

namespace Portal.Web.Features.Robustify;

/// <summary>
/// "Robustify (FARE)": queues a FARE fine-tuning job for a registered encoder on an image folder of the server, and
/// queues the standard evaluations of a (fine-tuned) encoder on every 2AFC benchmark in one call.
/// </summary>
public sealed class RobustifyService(
    IDbContextFactory<PortalDbContext> dbFactory, Portal.Web.Features.Encoders.ServerFiles serverFiles, JobLimits limits, JobQueue queue, Dispatch.JobDispatcher dispatcher)
{
    /// <summary>The evaluations the one-click button queues: clean and L∞ 4/255 (the paper's headline threat model).</summary>
    public static readonly string[] StandardPresets = [Presets.Clean, Presets.Linf4];

    public async Task<SubmittedJob> SubmitAsync(int encoderId, RobustifyRequest req, string? submittedBy, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(req.ImageFolder)) throw new ArgumentException("image_folder is required: a folder of training images on the server");
        var config = FareSettings.Config(req);
        var folder = serverFiles.Folder(req.ImageFolder);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var encoder = await db.Encoders.FindAsync([encoderId], ct) ?? throw new KeyNotFoundException($"no encoder {encoderId}");
        if (encoder.Status != EncoderStatus.Ready)
            throw new InvalidOperationException($"encoder {encoder.Id} ({encoder.DisplayName}) is {encoder.Status.ToString().ToLowerInvariant()}; only ready encoders can be robustified");
        if (encoder.IsBuiltin) throw new InvalidOperationException($"encoder {encoder.Id} ({encoder.DisplayName}) is a pixel baseline: there are no weights to fine-tune");
        if (encoder.IsVariant)
            throw new InvalidOperationException($"encoder {encoder.Id} ({encoder.DisplayName}) is an MLP-head/LoRA variant: robustify its parent ({encoder.ParentEncoderId}) and add the head or adapter to the result");
        await JobLimits.EnforceAsync(db, await limits.ForAsync(db, submittedBy, ct), [(config, 0)], ct);
        var images = await FareImageSets.EnsureAsync(db, folder, ct);

        var key = config.Key;
        var active = await db.Jobs.FirstOrDefaultAsync(j => j.EncoderId == encoder.Id && j.DatasetId == images.Id && j.ConfigKey == key
            && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running), ct);
        if (active != null) return new SubmittedJob(active, JobQueue.AlreadyQueued);
        // A finished identical run is not reused silently: its child encoder exists already, the caller sees it.
        var done = await db.Results.AsNoTracking().FirstOrDefaultAsync(r => r.EncoderSha256 == encoder.Sha256 && r.DatasetVersion == images.VersionHash && r.ConfigKey == key, ct);
        var job = new JobRecord
        {
            EncoderId = encoder.Id, DatasetId = images.Id, Preset = "fare", Config = config, ConfigKey = key,
            Status = JobStatus.Queued, Total = config.Iterations, SubmittedBy = submittedBy, CreatedAt = DateTime.UtcNow, Queue = dispatcher.JobQueue,
        };
        if (done != null)
        {
            job.Status = JobStatus.Succeeded;
            job.ResultId = done.Id;
            job.ReusedResult = true;
            job.Done = done.N;
            job.StartedAt = job.FinishedAt = job.CreatedAt;
        }
        db.Jobs.Add(job);
        await db.SaveChangesAsync(ct);
        if (done != null) return new SubmittedJob(job, JobQueue.ReusedResult);
        dispatcher.EnqueueJob(job.Id, job.Queue);
        return new SubmittedJob(job, JobQueue.Queued);
    }

    /// <summary>Clean + L∞ 4/255 evaluations of the encoder on every 2AFC benchmark, and L∞ 1/255 on a demo one (identical ones are reused or joined, as always).</summary>
    public async Task<IReadOnlyList<SubmittedJob>> QueueStandardEvaluationsAsync(int encoderId, string? submittedBy, CancellationToken ct, int? iterations = null)
    {
        List<BenchmarkRecord> benchmarks;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            benchmarks = await db.Benchmarks.AsNoTracking().Where(b => b.TaskKind == TaskKind.TwoAfc).OrderBy(b => b.Id).ToListAsync(ct);
        if (benchmarks.Count == 0) throw new InvalidOperationException("there is no 2AFC benchmark to evaluate on; register one first");
        var all = new List<SubmittedJob>();
        // A demo board ranks at its own threat model (Presets.DemoLinfEps): the child gets that number there too.
        foreach (var b in benchmarks)
            all.AddRange(await queue.SubmitAsync(new JobRequest(encoderId, b.Id, b.IsDemo ? [.. StandardPresets, Presets.DemoLinf1] : StandardPresets, Iterations: iterations), ct, submittedBy));
        return all;
    }

    /// <summary>The parent of an encoder, its FARE children, and (for a FARE job) the encoder it produced.</summary>
    public async Task<Lineage> LineageAsync(int encoderId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.Encoders.AsNoTracking().FirstOrDefaultAsync(x => x.Id == encoderId, ct);
        if (e == null) return new Lineage(null, []);
        // Variants (MLP head / LoRA) share the parent link but are not FARE fine-tunes: the variants card shows them.
        var parent = e.ParentEncoderId is int p && !e.IsVariant ? await db.Encoders.AsNoTracking().FirstOrDefaultAsync(x => x.Id == p, ct) : null;
        var children = await db.Encoders.AsNoTracking().Where(x => x.ParentEncoderId == encoderId && x.MlpHeadPath == null && x.LoraPath == null).OrderBy(x => x.Id).ToListAsync(ct);
        return new Lineage(parent, children);
    }

    /// <summary>The encoder a finished FARE job registered (from its result), or null.</summary>
    public async Task<EncoderRecord?> ChildOfJobAsync(int jobId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct);
        if (job?.ResultId is not int rid) return null;
        var json = await db.Results.AsNoTracking().Where(r => r.Id == rid).Select(r => r.FullJson).FirstOrDefaultAsync(ct);
        var childId = json == null ? null : FareResultJson.ChildEncoderId(json);
        return childId is int id ? await db.Encoders.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) : null;
    }
}

public sealed record Lineage(EncoderRecord? Parent, IReadOnlyList<EncoderRecord> Children);
