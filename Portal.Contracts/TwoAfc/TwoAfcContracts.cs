using System.Text.Json.Serialization;

using Portal.Engine.Attacks;

namespace Portal.Engine.TwoAfc;

// The 2AFC task's contract with the CLI and the portal's job runner (the attack and its checks: Attacks/).
// Field names serialise in snake_case (the CLI's and API's JSON).

/// <summary>One triplet. <see cref="Label"/> is the fraction of humans who judged image 1 closer to the reference.</summary>
public sealed record TwoAfcItem(string Id, string Split, string RefPath, string Path0, string Path1, float Label)
{
    /// <summary>
    /// How this dataset's images become model input, overriding the model's own recipe (BAPPS: bilinear upsampling
    /// of the 64×64 images to 224×224, as the paper's code does). Null = the model's recipe (NIGHTS).
    /// </summary>
    public Encoders.Preprocessing? Recipe { get; init; }
    /// <summary>The label is a fraction of raters (BAPPS): the LPIPS 2AFC score is reported besides hard accuracy.</summary>
    public bool FractionalLabel { get; init; }
    /// <summary>The hard label the accuracy is scored against: 1 = image 1 closer (majority; 0.5 goes to image 0).</summary>
    public int HardLabel => Label > 0.5f ? 1 : 0;
}

/// <summary>An item that could not be read, by path.</summary>
public sealed record BadItem(string Id, string Path, string Reason);

public sealed record TwoAfcOptions
{
    public AttackConfig Attack { get; init; } = AttackConfig.None;
    public int BatchSize { get; init; } = 16;
    /// <summary>Evaluate only the first N items (after split filtering), for quick runs.</summary>
    public int? Limit { get; init; }
    /// <summary>Skip unreadable items and report how many, instead of stopping with the list.</summary>
    public bool SkipBadItems { get; init; }
    /// <summary>Optional ε values for a robustness sweep (the paper's Figure 7) on the first <see cref="SweepItems"/> items.</summary>
    public IReadOnlyList<double>? EpsSweep { get; init; }
    public int SweepItems { get; init; } = 32;
    /// <summary>Iterations of the ε = 0 sanity attack run on the first batch (it must reproduce clean accuracy).</summary>
    public int ZeroEpsCheckIterations { get; init; } = 10;
    /// <summary>Drop a triplet from the attacked batch once it is fooled (cannot change robust accuracy; faster).</summary>
    public bool DropFooled { get; init; } = true;
    /// <summary>Where the candidates' clean embeddings are kept across runs (null: embedded every run). Not part of any
    /// fingerprint: a hit returns the same floats (see <see cref="CandidateEmbeddings"/>).</summary>
    [JsonIgnore]
    public CandidateEmbeddings? CandidateCache { get; init; }
}

/// <summary>Per-triplet result, written out as soon as its batch completes so a killed run can resume.</summary>
public sealed record TwoAfcItemResult(
    string Id,
    string Split,
    float Label,
    bool CleanCorrect,
    bool? RobustCorrect,
    double Margin,
    double? RobustMargin = null,
    double? LpipsScore = null)
{
    /// <summary>‖δ‖ (in the attack's norm, computed in float64) of the returned adversarial reference.</summary>
    public double? PerturbationNorm { get; init; }
    /// <summary>How far the adversarial reference leaves [0,1] (0 when inside).</summary>
    public double? RangeViolation { get; init; }
    /// <summary>Model queries the Square Attack spent on this triplet (0 when it was wrong on clean images); null for other attacks.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Queries { get; init; }
}

public sealed record SplitResult(int N, double CleanAccuracy, double? RobustAccuracy, double? LpipsScore = null);

/// <summary>One point of the optional ε sweep.</summary>
public sealed record EpsSweepPoint(double Eps, int N, double RobustAccuracy);

public sealed record TwoAfcResult
{
    public required string Benchmark { get; init; }
    public required int N { get; init; }
    public required double CleanAccuracy { get; init; }
    public double? RobustAccuracy { get; init; }
    public required IReadOnlyDictionary<string, SplitResult> Splits { get; init; }
    public required AttackConfig Attack { get; init; }
    public required IReadOnlyList<SanityCheck> Sanity { get; init; }
    public required string EngineVersion { get; init; }
    public required string Device { get; init; }
    public required double WallSeconds { get; init; }
    public int SkippedItems { get; init; }
    /// <summary>The unreadable items that were skipped (only with <see cref="TwoAfcOptions.SkipBadItems"/>).</summary>
    public IReadOnlyList<BadItem> BadItems { get; init; } = [];
    /// <summary>Items whose results came from the store (an earlier, interrupted run) rather than this run.</summary>
    public int ResumedItems { get; init; }
    /// <summary>Mean LPIPS 2AFC score over all items with fractional labels (BAPPS); null otherwise.</summary>
    public double? LpipsScore { get; init; }
    public IReadOnlyList<EpsSweepPoint>? EpsSweep { get; init; }
    /// <summary>Square Attack's query statistics (null for APGD and clean runs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QueryStatistics? QueryStats { get; init; }
    public required IReadOnlyList<TwoAfcItemResult> Items { get; init; }
}
