using Portal.Engine.Records;
using System.Text.Json;
using Portal.Data.Entities;
using Portal.Engine.Checkpoints;
using Portal.Engine.Metric;
using Portal.Engine.Retrieval;
using Portal.Web.Configuration;
using Portal.Web.Features.Retrieval;
using Portal.Engine.Attacks;
using Portal.Web.Features.Benchmarks;

namespace Portal.Worker.Runners;

/// <summary>What the retrieval and detection runners share: dataset check, embedding cache, record store, artifacts folder.</summary>
internal static class TaskRunnerSupport
{
    /// <summary>Evidence (index.json + PNGs) goes here inside the job folder; only this sub-folder is served.</summary>
    public const string EvidenceFolder = "evidence";
    public const string RecordsFile = "records.jsonl";
    /// <summary>Queries per run that get evidence images (the engine's default).</summary>
    public const int ArtifactCount = 24;

    public static void CheckVersion(BenchmarkRecord bench) => Datasets.DatasetVersionCheck.Ensure(bench, TaskDatasets.CurrentVersion(bench));

    /// <summary>
    /// φ̂ for the job's encoder; database/pool embeddings persist under artifacts/cache keyed as the engine does
    /// (checkpoint sha256 + recipe, image file sha256), so every later job of this encoder embeds nothing again.
    /// </summary>
    public static RetrievalEmbeddings Embedder(IPerceptualModel model, EncoderRecord encoder, DataPaths paths, int batch) =>
        new(model, RetrievalEmbeddings.ModelKey(encoder.Sha256 ?? throw new InvalidOperationException($"encoder {encoder.Id} has no sha256"), model.Preprocessing),
            new EmbeddingCache(folder: Path.Combine(paths.Artifacts, "cache")), batch);

    /// <summary>Per-query records in the job's own folder; the fingerprint ties them to this encoder, benchmark and configuration.</summary>
    public static JsonlRecordStore<T> Store<T>(JobRunContext c) => new(Path.Combine(c.ArtifactsDir, RecordsFile),
        FileHash.Sha256(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new object?[] { c.Dataset.TaskKind.Key(), c.Encoder.Sha256, c.Dataset.VersionHash, c.Job.ConfigKey })))[..32]);

    public static AttackConfig Attack(JobConfig config, string loss) =>
        JobExecutor.ToAttack(config) is { IsAttack: true } a ? a with { Loss = loss, Perturbed = "query" } : AttackConfig.None;

    /// <summary>The evidence folder relative to the data folder's artifacts/ (what the result row keeps), or null when nothing was written.</summary>
    public static string? EvidenceRelative(JobRunContext c, DataPaths paths)
    {
        var dir = Path.Combine(c.ArtifactsDir, EvidenceFolder);
        return File.Exists(Path.Combine(dir, "index.json")) ? Path.GetRelativePath(paths.Artifacts, dir).Replace('\\', '/') : null;
    }

    /// <summary>SQLite keeps NaN as NULL; a mean over no queries is reported as 0 with the count in the splits and the JSON.</summary>
    public static double Finite(double v) => double.IsFinite(v) ? v : 0;

    public static string Sanity(IReadOnlyList<SanityCheck> s) => JsonSerializer.Serialize(s, ResultWriter.Json);
}
