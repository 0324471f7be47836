namespace Portal.Web.Features.Leaderboard;

/// <summary>The three accuracy kinds a leaderboard compares (the paper's clean / L∞ / L2 columns).</summary>
public enum AccuracyKind { Clean, Linf, L2 }

public static class AccuracyKinds
{
    /// <summary>The kind's name in CSS classes, export columns and keys: "clean", "linf", "l2".</summary>
    public static string Key(this AccuracyKind k) => k switch { AccuracyKind.Clean => "clean", AccuracyKind.Linf => "linf", _ => "l2" };
}

/// <summary>Clean and robust accuracies of one row in one breakdown (a split of a benchmark, or a benchmark in the overview).</summary>
public sealed record LeaderboardCell(double? Clean, double? Linf, double? L2)
{
    public static readonly LeaderboardCell Empty = new(null, null, null);
    public double? Get(AccuracyKind k) => k switch { AccuracyKind.Clean => Clean, AccuracyKind.Linf => Linf, _ => L2 };

    /// <summary>Items behind each number (a split's own N); null where there is no item count (reported cells, overview means).</summary>
    public int? CleanN { get; init; }
    public int? LinfN { get; init; }
    public int? L2N { get; init; }
    public int? N(AccuracyKind k) => k switch { AccuracyKind.Clean => CleanN, AccuracyKind.Linf => LinfN, _ => L2N };

    /// <summary>95% Wilson interval of one number over its split's N items.</summary>
    public Interval? Ci(AccuracyKind k) => Get(k) is double v && N(k) is int n ? Wilson.Of(v, n) : null;
}

/// <summary>A queued or running evaluation of a row's encoder, shown in the row until its result lands.</summary>
public sealed record RunningEvaluation(int JobId, string Preset, string Status, int Done, int Total, double? CleanAccuracy, double? RobustAccuracy)
{
    public double Percent => Total == 0 ? 0 : 100.0 * Done / Total;
}

/// <summary>
/// The attack audit behind a robust column (docs/two-afc.md): its verdict, and the worst case per item over every
/// attack it ran at that ε — the "best known" robust accuracy, at most the APGD number shown.
/// </summary>
public sealed record AuditBadge(bool Passed, string Verdict, double WorstCase, int ResultId);

/// <summary>
/// The result behind one main cell of a measured row: how many items, under which attack budget, what it cost. Reported
/// rows have none (a paper prints no item count, so no interval).
/// </summary>
public sealed record Measurement(int ResultId, double Value, int N, string Attack, int Iterations, int Restarts, int? Limit, double WallSeconds, string Device, DateTime CreatedAt)
{
    /// <summary>95% Wilson score interval over the N items.</summary>
    public Interval? Interval => Wilson.Of(Value, N);
}

/// <summary>The default rank of a row (1 = best) and, when its interval overlaps the row ranked just above, that row's rank.</summary>
public sealed record RankInfo(int Rank, int? TiedWith, string? TieNote);

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
    /// <summary>The newest attack audit at the L∞ / L2 column's ε (null: not audited).</summary>
    public AuditBadge? LinfAudit { get; init; }
    public AuditBadge? L2Audit { get; init; }
    public AuditBadge? Audit(AccuracyKind k) => k switch { AccuracyKind.Linf => LinfAudit, AccuracyKind.L2 => L2Audit, _ => null };
    /// <summary>False when any result behind the row failed the engine's sanity checks.</summary>
    public bool SanityPassed { get; init; } = true;
    /// <summary>Result ids behind the numbers (for links and exports).</summary>
    public IReadOnlyList<int> ResultIds { get; init; } = [];
    public List<RunningEvaluation> Running { get; init; } = [];
    /// <summary>Set on a row of numbers a paper reports (not measured here): where each number comes from.</summary>
    public ReportedModel? Reported { get; init; }
    /// <summary>Set on a measured row whose encoder an admin linked to a reported model on this board: the paper's numbers beside ours.</summary>
    public ReportedModel? Linked { get; init; }
    public bool IsReported => Reported != null;
    /// <summary>The results behind the Clean / L∞ / L2 cells of a measured benchmark row (null on reported rows and overview means).</summary>
    public Measurement? CleanRun { get; init; }
    public Measurement? LinfRun { get; init; }
    public Measurement? L2Run { get; init; }
    public Measurement? Run(AccuracyKind k) => k switch { AccuracyKind.Clean => CleanRun, AccuracyKind.Linf => LinfRun, _ => L2Run };
    /// <summary>95% Wilson interval of a main cell; null where there is no item count (reported rows, overview means).</summary>
    public Interval? Ci(AccuracyKind k) => Run(k)?.Interval;
    /// <summary>Device-seconds of every result behind the row (ResultRecord.WallSeconds summed) and the devices they ran on.</summary>
    public double? CostSeconds { get; init; }
    public IReadOnlyList<string> Devices { get; init; } = [];
    /// <summary>When the newest result behind the row was measured.</summary>
    public DateTime? Date { get; init; }
    public long? ParameterCount { get; init; }
    public string? PaperUrl { get; init; }
    /// <summary>What the encoder was trained on for this task: "zero-shot", "fine-tuned on NIGHTS", "MLP on NIGHTS"...</summary>
    public string TrainingData { get; init; } = "";
    /// <summary>Tuned on NIGHTS and ranked on a NIGHTS board: its training distribution is the test distribution.</summary>
    public bool TrainedOnThisBenchmark { get; init; }

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
    /// <summary>A board of reported numbers only (a benchmark with no local dataset: NIGHTS, BAPPS, THINGS...).</summary>
    public bool ReportedOnly { get; init; }
    /// <summary>
    /// The board's numbers come from demo data (DatasetRecord.IsDemo; on the overview: at least one of its benchmarks),
    /// so the page says so (DemoDataNotice) and does not let them pass for the paper's.
    /// </summary>
    public bool IsDemo { get; init; }

    /// <summary>
    /// What the demo notice adds about the threat model: the robust column of a demo board names its own ε, and when
    /// that is not the paper's L∞ 4/255 the notice says so in words (null: not a demo board, or the paper's ε).
    /// </summary>
    public string? DemoThreatModelNote =>
        !IsDemo || DemoLinfEps is not { Length: > 0 } eps || eps == LeaderboardBuilder.LinfLabel(LeaderboardBuilder.DefaultLinfEps) ? null
        : eps == LinfEps ? $"robust column: L∞ ε={eps}, the demo's own threat model — not the paper's 4/255"
        : $"the demo board's robust column is L∞ ε={eps}, its own threat model — not the paper's 4/255";

    /// <summary>
    /// The L∞ ε of the demo board(s) on this board: its own <see cref="LinfEps"/> on a demo benchmark's board; on the
    /// overview, the one ε its demo boards share (null when they differ or there are none).
    /// </summary>
    public string? DemoLinfEps { get; init; }
    /// <summary>False when the board's numbers are not percentages (cosine similarities in [0,1]).</summary>
    public bool Percentages { get; init; } = true;
    /// <summary>The metric of a reported board ("2AFC accuracy (%)").</summary>
    public string? Metric { get; init; }
    /// <summary>The threat model of the reported numbers, as the paper states it.</summary>
    public string? ReportedSetup { get; init; }
    /// <summary>Papers behind the reported rows ("arXiv:2502.11725").</summary>
    public IReadOnlyList<string> ReportedPapers { get; init; } = [];

    /// <summary>The attack budget of the robust columns (the one most rows were measured with); null when no row has one.</summary>
    public AttackBudget? LinfBudget { get; init; }
    public AttackBudget? L2Budget { get; init; }
    public AttackBudget? Budget(AccuracyKind k) => k switch { AccuracyKind.Linf => LinfBudget, AccuracyKind.L2 => L2Budget, _ => null };

    /// <summary>The column header: a robust column names its whole threat model ("L∞ ε=4/255 · APGD-CE 100 it · 1 restart").</summary>
    public string Header(AccuracyKind k) => k switch
    {
        AccuracyKind.Clean => "Clean",
        AccuracyKind.Linf => $"L∞ ε={LinfEps}" + (LinfBudget is { } b ? $" · {b}" : ""),
        _ => $"L2 ε={L2Eps}" + (L2Budget is { } b2 ? $" · {b2}" : ""),
    };

    /// <summary>The header without the attack budget (chart toggles, per-split columns).</summary>
    public string ShortHeader(AccuracyKind k) => k switch { AccuracyKind.Clean => "Clean", AccuracyKind.Linf => $"L∞ ε={LinfEps}", _ => $"L2 ε={L2Eps}" };

    private IReadOnlyDictionary<int, RankInfo>? _ranking;
    /// <summary>Rank and statistical ties of every row in the default order (by encoder id), computed once.</summary>
    public IReadOnlyDictionary<int, RankInfo> Ranking => _ranking ??= LeaderboardRanks.Of(Rows);

    /// <summary>The best (highest) value of a column among the given rows; bold in the grid and in the task boards and overview.</summary>
    public static double? Best<TRow>(IEnumerable<TRow> rows, Func<TRow, double?> value) =>
        rows.Select(value).Where(v => v.HasValue).DefaultIfEmpty(null).Max();
}

/// <summary>APGD's budget: "APGD-CE 100 it · 1 restart" (the 2AFC attack maximises cross-entropy, docs/two-afc.md).</summary>
public sealed record AttackBudget(int Iterations, int Restarts)
{
    public override string ToString() => $"APGD-CE {Iterations} it · {Restarts} restart{(Restarts == 1 ? "" : "s")}";
    public long Strength => (long)Iterations * Math.Max(1, Restarts);
}

/// <summary>An entry of the leaderboard picker.</summary>
public sealed record LeaderboardChoice(string Key, string Title, int Encoders, int Reported = 0, bool ReportedOnly = false);

/// <summary>Grid filters; null or empty = any.</summary>
public sealed record LeaderboardFilter(string? Family = null, string? Backbone = null, string? Kind = null, string? Search = null, string? Source = null)
{
    public const string RobustKind = "robust", CleanKind = "clean";
    /// <summary>Source filter: numbers a paper reports, numbers measured on this portal, or both (null, the default).</summary>
    public const string ReportedSource = "reported", MeasuredSource = "measured", BothSources = "both";

    public IEnumerable<LeaderboardRow> Apply(IEnumerable<LeaderboardRow> rows) => rows.Where(r =>
        (Source is null or "" or BothSources || (Source == ReportedSource ? r.IsReported : !r.IsReported))
        && (string.IsNullOrEmpty(Family) || r.Family == Family)
        && (string.IsNullOrEmpty(Backbone) || r.Backbone == Backbone)
        && (string.IsNullOrEmpty(Kind) || (Kind == RobustKind ? r.IsRobustModel : !r.IsRobustModel))
        && (string.IsNullOrWhiteSpace(Search) || r.Encoder.Contains(Search.Trim(), StringComparison.OrdinalIgnoreCase)));
}

/// <summary>One printed number with its provenance.</summary>
public sealed record ReportedValue(string Paper, string Table, int Row, string Source, string ValueText, double? Value, string Note)
{
    /// <summary>"Table I, arXiv 2502.11725".</summary>
    public string Where => $"Table {Table}, {Paper.Replace(':', ' ')}";
}

/// <summary>
/// A reported cell: the number shown (from the first table, in the paper's order, that prints it) and every other table
/// that prints the same cell. When they disagree, or a note says another table prints something else, the cell is a
/// contradiction: shown with a warning and every printed value, never one silently picked.
/// </summary>
public sealed record ReportedCell(ReportedValue Shown, IReadOnlyList<ReportedValue> Others, bool Contradiction)
{
    public IEnumerable<ReportedValue> All => Others.Prepend(Shown);

    public string Tooltip
    {
        get
        {
            var lines = new List<string> { $"reported in {Shown.Where} (row {Shown.Row} of {Shown.Source})" };
            if (Contradiction)
                lines.Add("The paper contradicts itself here: " + string.Join("; ", All.Select(v => $"Table {v.Table} prints {v.ValueText}")) + ".");
            else if (Others.Count > 0) lines.Add("also printed in " + string.Join(", ", Others.Select(v => $"Table {v.Table}")));
            foreach (var note in All.Select(v => v.Note).Where(n => n.Length > 0).Distinct()) lines.Add("Note: " + note);
            return string.Join("\n", lines);
        }
    }
}

/// <summary>A model as a paper names it (method, backbone, training) and its reported cells on one board.</summary>
public sealed class ReportedModel
{
    public required string Method { get; init; }
    public required string Encoder { get; init; }
    public required string Training { get; init; }
    /// <summary>By <see cref="CellKey"/>.</summary>
    public required IReadOnlyDictionary<string, ReportedCell> Cells { get; init; }
    public IReadOnlyList<string> Tables => Cells.Values.SelectMany(c => c.All).Select(v => v.Table).Distinct().OrderBy(Portal.Data.Reported.ReportedCsv.TableOrder).ToList();
    public IReadOnlyList<string> Papers => Cells.Values.SelectMany(c => c.All).Select(v => v.Paper).Distinct().ToList();
    public bool HasContradiction => Cells.Values.Any(c => c.Contradiction);
    public string Name => $"{Method} {Encoder}";

    /// <summary>The main columns are keyed "|clean"; a breakdown column "cnn|linf".</summary>
    public static string CellKey(string? breakdown, AccuracyKind k) => $"{breakdown}|{k.ToString().ToLowerInvariant()}";
    public ReportedCell? Cell(string? breakdown, AccuracyKind k) => Cells.GetValueOrDefault(CellKey(breakdown, k));

    /// <summary>"Table I, XIII · arXiv 2502.11725".</summary>
    public string Provenance => $"Table {string.Join(", ", Tables)} · {string.Join(", ", Papers.Select(p => p.Replace(':', ' ')))}";

    /// <summary>Reproduced − reported, in points (percentage points, or the metric's own unit on boards that are not percentages).</summary>
    public static double? Difference(double? measured, ReportedCell? reported, bool percentages = true) =>
        measured is double m && reported?.Shown.Value is double r ? (percentages ? m * 100 : m) - r : null;
}
