using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.Engine.Retrieval;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Retrieval;
using Portal.Web.Features.Benchmarks;

namespace Portal.Worker.Runners;

/// <summary>
/// Retrieval jobs (revisitop roxford5k/rparis6k, the demo's rworld, generic folders): the engine's RetrievalTask with
/// per-query records in the job folder (a killed job resumes), the database embedded once per encoder (cache), and
/// evidence for the viewer. Headline: mAP Medium clean / robust; splits: Medium and Hard. Folders have no ground
/// truth: their headline is the fraction of the clean top-k kept (1 when clean).
/// </summary>
public sealed class RetrievalJobRunner(ModelFactory models, DataPaths paths, JobBatchSizes batches) : IJobRunner
{
    public IReadOnlyCollection<TaskKind> TaskKinds { get; } = [Portal.Data.Entities.TaskKind.Retrieval];

    public JobOutcome Run(JobRunContext c)
    {
        var bench = c.Benchmark;
        TaskRunnerSupport.CheckVersion(bench);
        var dataset = TaskDatasets.OpenRetrieval(bench.Format, bench.DatasetRoot);
        RetrievalResult r;
        using (var model = models.Create(c.Encoder))
        {
            var batch = batches.For(c, model);
            var taskOptions = new RetrievalOptions
            {
                Attack = TaskRunnerSupport.Attack(c.Job.Config, "embedding-l2"),
                Limit = c.Job.Config.Limit,
                BatchSize = batch,
                ArtifactCount = TaskRunnerSupport.ArtifactCount,
                ArtifactsDir = Path.Combine(c.ArtifactsDir, TaskRunnerSupport.EvidenceFolder),
            };
            var embedder = TaskRunnerSupport.Embedder(model, c.Encoder, paths, batch);
            r = RetrievalTask.Run(embedder, dataset, taskOptions, TaskRunnerSupport.Store<RetrievalQueryRecord>(c), c.Progress, c.Cancellation);
        }
        return new JobOutcome(Draft(r, c.Encoder), TaskRunnerSupport.EvidenceRelative(c, paths));
    }

    public static ResultRecord Draft(RetrievalResult r, EncoderRecord encoder)
    {
        double clean; double? robust; string metric;
        var splits = new List<ResultSplit>();
        if (r.MapClean is { } mc)
        {
            metric = ResultMetrics.MapMedium;
            clean = TaskRunnerSupport.Finite(mc["medium"]);
            robust = r.MapRobust is { } mr0 ? TaskRunnerSupport.Finite(mr0["medium"]) : null;
            foreach (var p in new[] { "medium", "hard" })
                splits.Add(new ResultSplit
                {
                    Name = p, N = r.NQueries - (r.EmptyQueries?.GetValueOrDefault(p) ?? 0),
                    CleanValue = TaskRunnerSupport.Finite(mc[p]),
                    RobustValue = r.MapRobust is { } mr ? TaskRunnerSupport.Finite(mr[p]) : null,
                });
        }
        else
        {
            metric = ResultMetrics.TopKOverlap;   // no ground truth: the clean run keeps its own top-k by definition
            clean = 1;
            robust = r.Attack.IsAttack ? r.MeanTopKOverlap : null;
        }
        return new ResultRecord
        {
            EncoderSha256 = "", DatasetVersion = "", ConfigKey = "",
            Metric = metric, N = r.NQueries, CleanValue = clean, RobustValue = robust, Splits = splits,
            SanityPassed = r.Sanity.All(s => s.Passed), SanityJson = TaskRunnerSupport.Sanity(r.Sanity),
            FullJson = JsonSerializer.Serialize(new { checkpoint_sha256 = encoder.Sha256, encoder = encoder.DisplayName, result = r }, ResultWriter.Json),
            EngineVersion = r.EngineVersion, Device = r.Device, WallSeconds = r.WallSeconds,
        };
    }
}
