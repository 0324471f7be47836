using System.Text.Json;
using Portal.Data.Entities;
using Portal.Engine.Attacks;
using Portal.Engine.Audit;
using Portal.Engine.Datasets;
using Portal.Engine.TwoAfc;
using Portal.Worker.Execution;

namespace Portal.Worker.Runners;

/// <summary>
/// The attack audit as a 2AFC job (config attack "audit"): the engine's <see cref="AttackAudit"/> on the benchmark, its
/// report as the result's JSON, the worst case per item as the robust number and the verdict as the sanity flag's
/// neighbour. An audit keeps no per-item records: a killed one starts again from the beginning.
/// </summary>
public static class Audit
{
    public const string Kind = "audit";

    public static AuditOptions Options(JobConfig c, int batchSize) => new()
    {
        Norm = c.Norm == "l2" ? ThreatNorm.L2 : ThreatNorm.Linf,
        Eps = c.Eps,
        Iterations = c.Iterations,
        // The paper's Figure 8 grid (10 … 500 around 100), scaled to the audited budget.
        IterationSteps = new[] { 0.1, 0.5, 1, 2.5, 5 }.Select(f => Math.Max(1, (int)Math.Round(f * c.Iterations))).Distinct().ToList(),
        Items = c.Limit ?? 500,
        Restarts = Math.Max(1, c.Restarts),
        SquareQueries = c.Queries ?? 5000,
        Seed = c.Seed,
        BatchSize = Math.Max(1, batchSize),
    };

    public static JobOutcome Run(JobRunContext c, TwoAfcDatasetLoad load, ModelFactory models, JobBatchSizes batches)
    {
        AuditReport report;
        using (var model = models.Create(c.Encoder))
            report = AttackAudit.Run(model, load.Items, c.Benchmark.Name, Options(c.Job.Config, batches.For(c, model)), c.Progress, c.Cancellation);
        return new JobOutcome(new ResultRecord
        {
            EncoderSha256 = "", DatasetVersion = "", ConfigKey = "",
            Metric = ResultMetrics.TwoAfcAccuracy, N = report.N, CleanValue = report.CleanAccuracy, RobustValue = report.WorstCaseRobustAccuracy,
            SanityPassed = report.Sanity.All(s => s.Passed), SanityJson = JsonSerializer.Serialize(report.Sanity, ResultWriter.Json),
            FullJson = JsonSerializer.Serialize(report, ResultWriter.Json), EngineVersion = report.EngineVersion, Device = report.Device,
            WallSeconds = report.WallSeconds,
        });
    }
}
