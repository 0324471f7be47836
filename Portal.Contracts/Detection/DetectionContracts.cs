using System.Text.Json.Serialization;
using Portal.Engine.Attacks;

namespace Portal.Engine.Detection;

// Shared contract between the detection task, the CLI and the portal. JSON in snake_case.

/// <summary>An attack direction: queries of class Source pushed towards class Target.</summary>
public sealed record DetectionDirection(string Source, string Target)
{
    public override string ToString() => $"{Source}->{Target}";

    /// <summary>"unsafe:safe,safe:unsafe" (also "unsafe->safe").</summary>
    public static List<DetectionDirection> ParseList(string s) =>
        s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p =>
        {
            var parts = p.Split(["->", ":"], StringSplitOptions.TrimEntries);
            return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 && parts[0] != parts[1]
                ? new DetectionDirection(parts[0], parts[1])
                : throw new ArgumentException($"direction '{p}' is not source:target with two different classes");
        }).ToList();
}

public sealed record DetectionOptions
{
    /// <summary>Kind "none", "apgd" or "square" (the same loss and success, queries only); the paper's setting is APGD, L∞, ε = 8/255, 200 iterations.</summary>
    public AttackConfig Attack { get; init; } = AttackConfig.None;
    /// <summary>Null = unsafe→safe and safe→unsafe (the classes present).</summary>
    public IReadOnlyList<DetectionDirection>? Directions { get; init; }
    /// <summary>Target images per class used by the attack (the first N, sorted by name).</summary>
    public int TargetCount { get; init; } = 16;
    /// <summary>Queries per class (the first N, sorted by name).</summary>
    public int? LimitPerClass { get; init; }
    public int BatchSize { get; init; } = 16;
    public int ArtifactCount { get; init; } = 24;
    public string? ArtifactsDir { get; init; }
    public int TopK { get; init; } = 5;
    /// <summary>Classes whose images viewers blur by default (DetectionDataset.Unsafe).</summary>
    public IReadOnlyList<string> SensitiveClasses { get; init; } = ["unsafe"];
}

/// <summary>
/// One decision on one query: clean (Target null) or under the attack towards Target. Key = detector|target|query
/// (target "clean" for clean records) identifies it in the resumable store.
/// </summary>
public sealed record DetectionRecord(string Key, string QueryId, string TrueClass, string Detector, string? Target, string Assigned)
{
    public string? NearestId { get; init; }
    public double? NearestSimilarity { get; init; }
    /// <summary>The classifier's raw score (probability or logit), where one is used.</summary>
    public double? ClassifierScore { get; init; }
    public double? PerturbationNorm { get; init; }
    public double? RangeViolation { get; init; }
    /// <summary>Model queries the Square Attack spent on this attacked query: until its decision became the target,
    /// else the whole budget (null for clean records and other attacks, then not written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? AttackQueries { get; init; }

    public static string KeyOf(string detector, string? target, string queryId) => $"{detector}|{target ?? "clean"}|{queryId}";
}

/// <summary>Fractions of the queries of one true class assigned to each class (a row of the paper's Table III).</summary>
public sealed record DetectionBreakdown(string TrueClass, int N, IReadOnlyDictionary<string, double> Assigned);

/// <summary>The same under attack; SuccessRate = fraction assigned to the target.</summary>
public sealed record DetectionAttackBreakdown(string Source, string Target, int N, IReadOnlyDictionary<string, double> Assigned, double SuccessRate)
{
    /// <summary>Square Attack only: queries over this direction's attacked queries; "broken" = assigned to the target.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QueryStatistics? QueryStats { get; init; }
}

public sealed record DetectorResult(string Detector, IReadOnlyList<DetectionBreakdown> Clean, IReadOnlyList<DetectionAttackBreakdown> Attacked);

public sealed record DetectionResult
{
    public required string Benchmark { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    public required bool TwoClass { get; init; }
    public required IReadOnlyList<string> SensitiveClasses { get; init; }
    public required IReadOnlyDictionary<string, int> PoolSizes { get; init; }
    public required IReadOnlyDictionary<string, int> QuerySizes { get; init; }
    public required IReadOnlyDictionary<string, int> TargetsUsed { get; init; }
    public required AttackConfig Attack { get; init; }
    public required IReadOnlyList<DetectorResult> Detectors { get; init; }
    /// <summary>"probability" or "logit" and the threshold, when a classifier detector took part.</summary>
    public string? ClassifierOutput { get; init; }
    public double? ClassifierThreshold { get; init; }
    public required IReadOnlyList<SanityCheck> Sanity { get; init; }
    public required string EngineVersion { get; init; }
    public required string Device { get; init; }
    public required double WallSeconds { get; init; }
    public int ResumedRecords { get; init; }
    public string? ArtifactsIndex { get; init; }
    public required IReadOnlyList<DetectionRecord> Records { get; init; }
}
