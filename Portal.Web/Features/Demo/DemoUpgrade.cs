using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Jobs;

namespace Portal.Web.Features.Demo;

/// <summary>
/// Brings a demo seeded by an earlier version up to what a fresh seed gives, without touching a measured number (the
/// seeder itself runs on an empty database only): the demo encoders say what they were trained on, and every encoder on
/// the demo 2AFC board gets the board's own threat model (L∞ 1/255), so its robust column stops being the paper's 4/255
/// where the tiny encoders all collapse. Idempotent: each start checks, nothing is queued twice.
/// </summary>
public sealed class DemoUpgrade(IDbContextFactory<PortalDbContext> dbFactory, JobQueue queue, ILogger<DemoUpgrade> log)
{
    public async Task RunAsync(int apgdIterations, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var named = await db.Encoders.Where(e => e.TrainingData == null && e.Submitter == "portal"
            && (e.DisplayName == DemoEncoders.CleanName || e.DisplayName == DemoEncoders.FareName)).ToListAsync(ct);
        foreach (var e in named) e.TrainingData = DemoEncoders.TrainingData;
        if (named.Count > 0)
        {
            await db.SaveChangesAsync(ct);
            log.LogInformation("demo upgrade: training data stated for {N} demo encoder(s)", named.Count);
        }

        var bench = await db.Benchmarks.AsNoTracking().FirstOrDefaultAsync(b => b.IsDemo && b.Name == DemoSeeder.BenchmarkName && b.TaskKind == TaskKind.TwoAfc, ct);
        if (bench == null) return;
        if (bench.Splits.Contains("test_imagenet", StringComparison.Ordinal))
            // Relabelling would change the dataset's version and orphan its results; the board's notice already says demo data.
            log.LogWarning("the demo board '{Bench}' was seeded by an earlier version and names NIGHTS' splits (test_imagenet, test_no_imagenet) on procedural rows; " +
                "a fresh data folder seeds it with the honest split 'procedural'", bench.Name);
        var key = Presets.Config(Presets.DemoLinf1, apgdIterations).Key;
        var onBoard = await db.Results.AsNoTracking().Where(r => r.DatasetId == bench.Id).Select(r => r.EncoderId)
            .Union(db.Jobs.AsNoTracking().Where(j => j.DatasetId == bench.Id).Select(j => j.EncoderId)).ToListAsync(ct);
        var covered = await db.Results.AsNoTracking().Where(r => r.DatasetId == bench.Id && r.DatasetVersion == bench.VersionHash && r.ConfigKey == key).Select(r => r.EncoderId)
            .Union(db.Jobs.AsNoTracking().Where(j => j.DatasetId == bench.Id && j.ConfigKey == key
                && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running || j.Status == JobStatus.Succeeded)).Select(j => j.EncoderId)).ToListAsync(ct);
        var missing = await db.Encoders.AsNoTracking().Where(e => onBoard.Contains(e.Id) && !covered.Contains(e.Id) && e.Status == EncoderStatus.Ready)
            .Select(e => e.Id).ToListAsync(ct);
        foreach (var id in missing)
            await queue.SubmitAsync(new JobRequest(id, bench.Id, [Presets.DemoLinf1], Iterations: apgdIterations), ct, operatorConfig: true);
        if (missing.Count > 0)
            log.LogInformation("demo upgrade: queued the demo board's own threat model ({Preset}) for {N} encoder(s)", Presets.DemoLinf1, missing.Count);
    }
}
