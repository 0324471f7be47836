using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Metric;
using Portal.Engine.Retrieval;
using Portal.Engine.TwoAfc;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;

namespace Portal.Worker.Runners;

/// <summary>2AFC jobs (NIGHTS, BAPPS, the demo): the engine's TwoAfcTask with per-triplet records in the database.</summary>
public sealed class TwoAfcJobRunner(
    IDbContextFactory<PortalDbContext> dbFactory, ModelFactory models, IEvaluationHooks hooks, DataPaths paths, JobBatchSizes batches) : IJobRunner
{
    public IReadOnlyCollection<TaskKind> TaskKinds { get; } = [Portal.Data.Entities.TaskKind.TwoAfc];

    public JobOutcome Run(JobRunContext c)
    {
        var bench = c.Benchmark;
        var load = BenchmarkRegistry.Load(bench.Format, bench.DatasetRoot, bench.Split);
        if (load.Bad.Count > 0)
            throw new InvalidDataException($"{load.Bad.Count} unreadable item(s) in {bench.DatasetRoot}: " + string.Join("; ", load.Bad.Take(10).Select(b => $"{b.Id} {b.Path}: {b.Reason}")));
        Datasets.DatasetVersionCheck.Ensure(bench, BenchmarkVersion.Compute(bench.TaskKind, bench.Format, bench.Split, bench.DatasetRoot, load.Items));

        if (c.Job.Config.Attack == Audit.Kind) return Audit.Run(c, load, models, batches);
        var store = new DbItemStore(dbFactory, c.Job.Id, hooks, c.Cancellation);
        TwoAfcResult r;
        using (var model = models.Create(c.Encoder))
        {
            var taskOptions = new TwoAfcOptions
            {
                Attack = JobExecutor.ToAttack(c.Job.Config),
                BatchSize = batches.For(c, model),
                Limit = c.Job.Config.Limit,
                // The clean, L∞ and L2 jobs of this encoder embed the candidates once (artifacts/cache, as retrieval's database).
                CandidateCache = c.Encoder.Sha256 is { } sha
                    ? new CandidateEmbeddings(new EmbeddingCache(folder: Path.Combine(paths.Artifacts, "cache")), RetrievalEmbeddings.ModelKey(sha, model.Preprocessing))
                    : null,
            };
            r = TwoAfcTask.Run(model, load.Items, bench.Name, taskOptions, store, c.Progress, c.Cancellation);
        }
        return new JobOutcome(ResultWriter.Draft(r));
    }
}
