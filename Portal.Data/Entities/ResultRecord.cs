namespace Portal.Data.Entities;

/// <summary>
/// A finished evaluation. Unique per (checkpoint sha256, dataset version, configuration key): identical requests reuse it.
/// Typed columns serve leaderboards; <see cref="FullJson"/> keeps everything the engine returned. <see cref="Metric"/>
/// names what <see cref="CleanValue"/> and <see cref="RobustValue"/> measure (a 2AFC accuracy, a mAP, a detection rate,
/// a mean cosine: see <see cref="ResultMetrics"/>).
/// </summary>
public sealed class ResultRecord
{
    public int Id { get; set; }
    public int JobId { get; set; }
    public int EncoderId { get; set; }
    public EncoderRecord? Encoder { get; set; }
    /// <summary>The benchmark, gallery or training-image set it ran on.</summary>
    public int DatasetId { get; set; }
    public DatasetRecord? Dataset { get; set; }
    public required string EncoderSha256 { get; set; }
    /// <summary>The dataset's <see cref="DatasetRecord.VersionHash"/> when it ran (the API's <c>benchmark_version</c>).</summary>
    public required string DatasetVersion { get; set; }
    public required string ConfigKey { get; set; }
    public JobConfig Config { get; set; } = new();
    public int N { get; set; }
    /// <summary>One of <see cref="ResultMetrics"/>: what the two values below and the splits' values are.</summary>
    public required string Metric { get; set; }
    /// <summary>The metric without attack (e.g. clean 2AFC accuracy, clean mAP).</summary>
    public double CleanValue { get; set; }
    /// <summary>The metric under the job's attack; null when it ran none.</summary>
    public double? RobustValue { get; set; }
    public int SkippedItems { get; set; }
    public bool SanityPassed { get; set; }
    public string SanityJson { get; set; } = "[]";
    public List<ResultSplit> Splits { get; set; } = [];
    public required string FullJson { get; set; }
    public required string EngineVersion { get; set; }
    public required string Device { get; set; }
    public double WallSeconds { get; set; }
    /// <summary>The job's files worth showing (adversarial examples, inversions), relative to the data folder's artifacts/; null when none.</summary>
    public string? ArtifactsDir { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Per-split values of a result's <see cref="ResultRecord.Metric"/>, as typed rows.</summary>
public sealed class ResultSplit
{
    public int Id { get; set; }
    public int ResultId { get; set; }
    public required string Name { get; set; }
    public int N { get; set; }
    public double CleanValue { get; set; }
    public double? RobustValue { get; set; }
    public double? LpipsScore { get; set; }
}
