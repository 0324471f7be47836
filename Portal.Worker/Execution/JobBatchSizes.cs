using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Engine.Metric;
using Portal.Worker.Runners;

namespace Portal.Worker.Execution;

/// <summary>
/// The batch size of a job's evaluation: the one its first attempt recorded (a resumed or taken-over job evaluates the
/// same batches), else what this worker chooses (<see cref="WorkerBatchSizing"/>); the choice and how it was made go on
/// the job row.
/// </summary>
public sealed class JobBatchSizes(IDbContextFactory<PortalDbContext> dbFactory, WorkerBatchSizing sizing, ILogger<JobBatchSizes> log)
{
    public int For(JobRunContext c, IPerceptualModel model) => Keep(c, () => sizing.Choose(model, c.Progress));

    /// <summary>Inversion: how many of a gallery's <paramref name="seeds"/> runs are optimised together (never sized from memory).</summary>
    public int ForSeeds(JobRunContext c, int seeds) => Keep(c, () =>
    {
        var (most, how) = sizing.Configured();
        int n = Math.Max(1, Math.Min(seeds, most));
        return (n, $"{n} seed run(s) optimised together: the gallery has {seeds} seed(s), at most {most} at once ({how})");
    });

    private int Keep(JobRunContext c, Func<(int Size, string How)> choose)
    {
        if (c.Job.BatchSize is { } kept and > 0) return kept;
        var (size, how) = choose();
        using (var db = dbFactory.CreateDbContext())
            db.Jobs.Where(j => j.Id == c.Job.Id && j.BatchSize == null).ExecuteUpdate(s => s
                .SetProperty(j => j.BatchSize, size)
                .SetProperty(j => j.BatchSizing, how));
        c.Job.BatchSize = size;
        c.Job.BatchSizing = how;
        log.LogInformation("job {Job}: batch {Batch} ({How})", c.Job.Id, size, how);
        return size;
    }
}
