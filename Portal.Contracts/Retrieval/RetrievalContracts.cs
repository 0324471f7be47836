using System.Text.Json.Serialization;
using Portal.Engine.Attacks;

namespace Portal.Engine.Retrieval;

// Shared contract between the retrieval task, the CLI and the portal. JSON in snake_case.

public sealed record RetrievalOptions
{
    /// <summary>Kind "none", "apgd" or "square" (the same loss, queries only); the paper's setting is APGD, L∞, ε = 4/255, 100 iterations.</summary>
    public AttackConfig Attack { get; init; } = AttackConfig.None;
    /// <summary>Evaluate only the first N queries.</summary>
    public int? Limit { get; init; }
    public int BatchSize { get; init; } = 16;
    /// <summary>Neighbours kept per query (clean and adversarial).</summary>
    public int TopK { get; init; } = 5;
    /// <summary>κ values for revisitop's mean precision at κ.</summary>
    public IReadOnlyList<int> Kappas { get; init; } = [1, 5, 10];
    /// <summary>Queries that get evidence images (chosen deterministically); 0 = none. Needs <see cref="ArtifactsDir"/>.</summary>
    public int ArtifactCount { get; init; } = 24;
    public string? ArtifactsDir { get; init; }
}

/// <summary>One database neighbour: rank 1 = most similar. Label: revisitop's easy/hard/junk/negative, else null.</summary>
public sealed record RetrievalNeighbour(int Rank, string Id, double Similarity, string? Label = null);

/// <summary>Per-query result, stored as soon as its batch completes.</summary>
public sealed record RetrievalQueryRecord(string Id)
{
    /// <summary>Revisitop AP per protocol ("medium", "hard"), clean; NaN for a query without positives.</summary>
    public IReadOnlyDictionary<string, double>? ApClean { get; init; }
    public IReadOnlyDictionary<string, double>? ApRobust { get; init; }
    /// <summary>Revisitop P@κ per "medium@5"-style key, clean and under attack.</summary>
    public IReadOnlyDictionary<string, double>? PrecisionClean { get; init; }
    public IReadOnlyDictionary<string, double>? PrecisionRobust { get; init; }
    public required IReadOnlyList<RetrievalNeighbour> CleanTop { get; init; }
    public IReadOnlyList<RetrievalNeighbour>? AdversarialTop { get; init; }
    /// <summary>‖φ̂(x+δ) − φ̂(x)‖² (the attack's objective, in [0,4]).</summary>
    public double? EmbeddingShift { get; init; }
    /// <summary>Fraction of the clean top-k still in the adversarial top-k.</summary>
    public double? TopKOverlap { get; init; }
    public double? PerturbationNorm { get; init; }
    public double? RangeViolation { get; init; }
    /// <summary>Model queries the Square Attack spent on this query image (null for other attacks, then not written).
    /// Named apart from the retrieval "queries" (the query images).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? AttackQueries { get; init; }
}

public sealed record RetrievalResult
{
    public required string Benchmark { get; init; }
    public required string Format { get; init; }
    public required int NQueries { get; init; }
    public required int NDatabase { get; init; }
    public required AttackConfig Attack { get; init; }
    /// <summary>Revisitop mAP in [0,1] (the paper prints ×100), per protocol ("medium", "hard"); null for folders.</summary>
    public IReadOnlyDictionary<string, double>? MapClean { get; init; }
    public IReadOnlyDictionary<string, double>? MapRobust { get; init; }
    public IReadOnlyDictionary<string, double>? MeanPrecisionClean { get; init; }
    public IReadOnlyDictionary<string, double>? MeanPrecisionRobust { get; init; }
    /// <summary>Queries without positives per protocol (left out of the mean, as revisitop does).</summary>
    public IReadOnlyDictionary<string, int>? EmptyQueries { get; init; }
    public double? MeanTopKOverlap { get; init; }
    public double? MeanEmbeddingShift { get; init; }
    public required int TopK { get; init; }
    public required IReadOnlyList<SanityCheck> Sanity { get; init; }
    public required string EngineVersion { get; init; }
    public required string Device { get; init; }
    public required double WallSeconds { get; init; }
    public int ResumedQueries { get; init; }
    public int DatabaseEmbeddingsComputed { get; init; }
    public int DatabaseEmbeddingsFromCache { get; init; }
    /// <summary>The evidence index (artifacts folder/index.json), when artifacts were written.</summary>
    public string? ArtifactsIndex { get; init; }
    /// <summary>Square Attack's query statistics over the attacked queries (null for APGD and clean runs). Retrieval
    /// has no per-query success notion, so nothing is "broken" and every query is queried the whole budget.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QueryStatistics? QueryStats { get; init; }
    public required IReadOnlyList<RetrievalQueryRecord> Queries { get; init; }
}
