namespace Portal.Web.Features.Leaderboard;

/// <summary>The three accuracy kinds a leaderboard compares (the paper's clean / L∞ / L2 columns).</summary>
public enum AccuracyKind { Clean, Linf, L2 }

/// <summary>Clean and robust accuracies of one row in one breakdown (a split of a benchmark, or a benchmark in the overview).</summary>
public sealed record LeaderboardCell(double? Clean, double? Linf, double? L2)
{
    public static readonly LeaderboardCell Empty = new(null, null, null);
    public double? Get(AccuracyKind k) => k switch { AccuracyKind.Clean => Clean, AccuracyKind.Linf => Linf, _ => L2 };
}

/// <summary>A queued or running evaluation of a row's encoder, shown in the row until its result lands.</summary>
public sealed record RunningEvaluation(int JobId, string Preset, string Status, int Done, int Total, double? CleanAccuracy, double? RobustAccuracy)
{
    public double Percent => Total == 0 ? 0 : 100.0 * Done / Total;
}

/// <summary>One encoder on a leaderboard.</summary>
public sealed class LeaderboardRow
{
    public required int EncoderId { get; init; }
    public required string Encoder { get; init; }
    public string Family { get; init; } = "";
    public string Backbone { get; init; } = "";
    public string FineTuning { get; init; } = "";
    /// <summary>True for adversarially fine-tuned encoders (FARE, TeCoA, R-LPIPS...): the "robust vs clean" filter.</summary>
    public bool IsRobustModel { get; init; }
    public double? Clean { get; init; }
    public double? Linf { get; init; }
    public double? L2 { get; init; }
    /// <summary>Per split (benchmark leaderboard) or per benchmark (overview).</summary>
    public IReadOnlyDictionary<string, LeaderboardCell> Breakdown { get; init; } = new Dictionary<string, LeaderboardCell>();
    /// <summary>False when any result behind the row failed the engine's sanity checks.</summary>
    public bool SanityPassed { get; init; } = true;
    /// <summary>Result ids behind the numbers (for links and exports).</summary>
    public IReadOnlyList<int> ResultIds { get; init; } = [];
    public List<RunningEvaluation> Running { get; init; } = [];

    public double? Get(AccuracyKind k) => k switch { AccuracyKind.Clean => Clean, AccuracyKind.Linf => Linf, _ => L2 };
    public LeaderboardCell Cell(string breakdown) => Breakdown.GetValueOrDefault(breakdown) ?? LeaderboardCell.Empty;
}

/// <summary>A built leaderboard: header facts (ε of each threat model), breakdown names, rows and the best value per column.</summary>
public sealed class Leaderboard
{
    /// <summary>"overview" or the benchmark's id.</summary>
    public required string Key { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public int? BenchmarkId { get; init; }
    /// <summary>"split" for a benchmark, "benchmark" for the overview (whose main numbers are means over benchmarks).</summary>
    public required string BreakdownKind { get; init; }
    public IReadOnlyList<string> BreakdownNames { get; init; } = [];
    /// <summary>ε of the robust columns, as shown in the headers ("4/255", "3").</summary>
    public required string LinfEps { get; init; }
    public required string L2Eps { get; init; }
    public required List<LeaderboardRow> Rows { get; init; }

    public string Header(AccuracyKind k) => k switch
    {
        AccuracyKind.Clean => "Clean",
        AccuracyKind.Linf => $"L∞ ε={LinfEps}",
        _ => $"L2 ε={L2Eps}",
    };

    /// <summary>The best (highest) value of a column among the given rows; bold in the grid.</summary>
    public static double? Best(IEnumerable<LeaderboardRow> rows, Func<LeaderboardRow, double?> value) =>
        rows.Select(value).Where(v => v.HasValue).DefaultIfEmpty(null).Max();
}

/// <summary>An entry of the leaderboard picker.</summary>
public sealed record LeaderboardChoice(string Key, string Title, int Encoders);

/// <summary>Grid filters; null or empty = any.</summary>
public sealed record LeaderboardFilter(string? Family = null, string? Backbone = null, string? Kind = null, string? Search = null)
{
    public const string RobustKind = "robust", CleanKind = "clean";

    public IEnumerable<LeaderboardRow> Apply(IEnumerable<LeaderboardRow> rows) => rows.Where(r =>
        (string.IsNullOrEmpty(Family) || r.Family == Family)
        && (string.IsNullOrEmpty(Backbone) || r.Backbone == Backbone)
        && (string.IsNullOrEmpty(Kind) || (Kind == RobustKind ? r.IsRobustModel : !r.IsRobustModel))
        && (string.IsNullOrWhiteSpace(Search) || r.Encoder.Contains(Search.Trim(), StringComparison.OrdinalIgnoreCase)));
}
