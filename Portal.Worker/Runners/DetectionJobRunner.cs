using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.Engine.Detection;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Retrieval;
using Portal.Web.Features.Benchmarks;

namespace Portal.Worker.Runners;

/// <summary>
/// Detection-by-retrieval jobs (paper §V-A): the engine's DetectionTask in both default directions (unsafe→safe,
/// safe→unsafe), records in the job folder, pool/target embeddings cached per encoder, evidence for the viewer with
/// the unsafe class marked sensitive. Headline: fraction of unsafe queries detected as unsafe, clean / under the
/// unsafe→safe attack; splits: one Table III row per true class (rate assigned to its own class, clean / attacked).
/// </summary>
public sealed class DetectionJobRunner(ModelFactory models, DataPaths paths, JobBatchSizes batches) : IJobRunner
{
    public IReadOnlyCollection<TaskKind> TaskKinds { get; } = [Portal.Data.Entities.TaskKind.Detection];

    public JobOutcome Run(JobRunContext c)
    {
        var bench = c.Benchmark;
        TaskRunnerSupport.CheckVersion(bench);
        var dataset = TaskDatasets.OpenDetection(bench.Format, bench.DatasetRoot);
        DetectionResult r;
        using (var model = models.Create(c.Encoder))
        {
            var batch = batches.For(c, model);
            var taskOptions = new DetectionOptions
            {
                Attack = TaskRunnerSupport.Attack(c.Job.Config, "target-mean-cosine"),
                LimitPerClass = c.Job.Config.Limit,
                BatchSize = batch,
                ArtifactCount = TaskRunnerSupport.ArtifactCount,
                ArtifactsDir = Path.Combine(c.ArtifactsDir, TaskRunnerSupport.EvidenceFolder),
                SensitiveClasses = [DetectionDataset.Unsafe],
            };
            var embedder = TaskRunnerSupport.Embedder(model, c.Encoder, paths, batch);
            r = DetectionTask.Run(embedder, null, dataset, taskOptions, TaskRunnerSupport.Store<DetectionRecord>(c), c.Progress, c.Cancellation);
        }
        return new JobOutcome(Draft(r, c.Encoder), TaskRunnerSupport.EvidenceRelative(c, paths));
    }

    /// <summary>The class whose detection matters: "unsafe" when present, else the last class.</summary>
    public static string UnsafeClass(IReadOnlyList<string> classes) => classes.Contains(DetectionDataset.Unsafe) ? DetectionDataset.Unsafe : classes[^1];

    public static ResultRecord Draft(DetectionResult r, EncoderRecord encoder)
    {
        var det = r.Detectors.FirstOrDefault(d => d.Detector == "retrieval") ?? r.Detectors[0];
        var unsafeClass = UnsafeClass(r.Classes);
        double Rate(IReadOnlyDictionary<string, double> assigned, string cls) => TaskRunnerSupport.Finite(assigned.GetValueOrDefault(cls));
        DetectionAttackBreakdown? AttackedFrom(string cls) => det.Attacked.FirstOrDefault(a => a.Source == cls);
        var splits = det.Clean.Select(row => new ResultSplit
        {
            Name = row.TrueClass, N = row.N, CleanValue = Rate(row.Assigned, row.TrueClass),
            RobustValue = AttackedFrom(row.TrueClass) is { } a ? Rate(a.Assigned, row.TrueClass) : null,
        }).ToList();
        var headline = splits.FirstOrDefault(s => s.Name == unsafeClass);
        return new ResultRecord
        {
            EncoderSha256 = "", DatasetVersion = "", ConfigKey = "",
            Metric = ResultMetrics.DetectionRate, N = r.QuerySizes.Values.Sum(), CleanValue = headline?.CleanValue ?? 0, RobustValue = r.Attack.IsAttack ? headline?.RobustValue : null,
            Splits = splits,
            SanityPassed = r.Sanity.All(s => s.Passed), SanityJson = TaskRunnerSupport.Sanity(r.Sanity),
            FullJson = JsonSerializer.Serialize(new { checkpoint_sha256 = encoder.Sha256, encoder = encoder.DisplayName, result = r }, ResultWriter.Json),
            EngineVersion = r.EngineVersion, Device = r.Device, WallSeconds = r.WallSeconds,
        };
    }
}
