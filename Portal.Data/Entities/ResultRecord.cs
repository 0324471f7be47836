namespace Portal.Data.Entities;

/// <summary>
/// A finished evaluation. Unique per (checkpoint sha256, benchmark version, configuration key): identical requests reuse it.
/// Typed columns serve leaderboards; <see cref="FullJson"/> keeps everything the engine returned.
/// </summary>
public sealed class ResultRecord
{
    public int Id { get; set; }
    public int JobId { get; set; }
    public int EncoderId { get; set; }
    public EncoderRecord? Encoder { get; set; }
    public int BenchmarkId { get; set; }
    public BenchmarkRecord? Benchmark { get; set; }
    public required string EncoderSha256 { get; set; }
    public required string BenchmarkVersion { get; set; }
    public required string ConfigKey { get; set; }
    public JobConfig Config { get; set; } = new();
    public int N { get; set; }
    public double CleanAccuracy { get; set; }
    public double? RobustAccuracy { get; set; }
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

/// <summary>Per-split metrics of a result, as typed rows.</summary>
public sealed class ResultSplit
{
    public int Id { get; set; }
    public int ResultId { get; set; }
    public required string Name { get; set; }
    public int N { get; set; }
    public double CleanAccuracy { get; set; }
    public double? RobustAccuracy { get; set; }
    public double? LpipsScore { get; set; }
}
