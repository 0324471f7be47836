namespace Portal.Engine.Retrieval;

// The evidence a run leaves for viewers: <artifacts>/index.json plus PNGs; every path is relative to the index's folder.

/// <summary>One neighbour shown in a viewer row. Sensitive = its class is marked sensitive (blur by default).</summary>
public sealed record EvidenceNeighbour(int Rank, string Id, string Image, double Similarity, string? Label, bool Sensitive);

/// <summary>
/// One attacked query: the model-input image, the adversarial image, the perturbation amplified to be visible
/// (0.5 + δ·0.5/ε per pixel, so ±ε maps to 0/1), and the top neighbours clean and under attack.
/// </summary>
public sealed record EvidenceItem
{
    public required string Id { get; init; }
    public required string Query { get; init; }
    public string? Adversarial { get; init; }
    public string? Perturbation { get; init; }
    public bool QuerySensitive { get; init; }
    /// <summary>Detection: the query's true class, the attack's target, and the decisions clean / under attack.</summary>
    public string? TrueClass { get; init; }
    public string? Target { get; init; }
    public string? Detector { get; init; }
    public string? CleanDecision { get; init; }
    public string? AdversarialDecision { get; init; }
    /// <summary>Retrieval (revisitop): AP under the Medium protocol, clean and under attack.</summary>
    public double? ApClean { get; init; }
    public double? ApAdversarial { get; init; }
    public double? PerturbationNorm { get; init; }
    public required IReadOnlyList<EvidenceNeighbour> Clean { get; init; }
    public IReadOnlyList<EvidenceNeighbour>? Attacked { get; init; }
}

public sealed record EvidenceIndex
{
    public const int FormatVersion = 1;
    /// <summary>How index.json is written and read (the record store's options, indented).</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Json = new(Records.JsonlRecordStore<object>.Json) { WriteIndented = true };
    public int Version { get; init; } = FormatVersion;
    /// <summary>"retrieval" or "detection".</summary>
    public required string Kind { get; init; }
    public required string Benchmark { get; init; }
    public required string Model { get; init; }
    public required string Norm { get; init; }
    public required double Eps { get; init; }
    public string Amplification { get; init; } = "0.5 + delta * 0.5 / eps";
    /// <summary>Classes whose images are sensitive (e.g. "unsafe"): viewers blur them unless revealed.</summary>
    public IReadOnlyList<string> SensitiveClasses { get; init; } = [];
    public required IReadOnlyList<EvidenceItem> Items { get; init; }
}
