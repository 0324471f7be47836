using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Web.Components;

namespace Portal.Web.Features.Leaderboard;

public partial class LeaderboardGrid
{
    private static readonly AccuracyKind[] Kinds = [AccuracyKind.Clean, AccuracyKind.Linf, AccuracyKind.L2];
    // Material "push_pin" paths (filled and outlined).
    private const string PinFilled = "M16 9V4h1c.55 0 1-.45 1-1s-.45-1-1-1H7c-.55 0-1 .45-1 1s.45 1 1 1h1v5c0 1.66-1.34 3-3 3v2h5.97v7l1 1 1-1v-7H19v-2c-1.66 0-3-1.34-3-3z";
    private const string PinOutlined = "M14 4v5c0 1.12.37 2.16 1 3H9c.65-.86 1-1.9 1-3V4h4m3-2H7c-.55 0-1 .45-1 1s.45 1 1 1h1v5c0 1.66-1.34 3-3 3v2h5.97v7l1 1 1-1v-7H19v-2c-1.66 0-3-1.34-3-3V4h1c.55 0 1-.45 1-1s-.45-1-1-1z";
    private MudDataGrid<LeaderboardRow>? _grid;
    private Dictionary<string, double?> _best = [];

    [Parameter, EditorRequired] public Leaderboard Board { get; set; } = default!;
    [Parameter, EditorRequired] public IReadOnlyList<LeaderboardRow> Rows { get; set; } = [];
    [Parameter] public bool ShowBreakdown { get; set; }
    [Parameter] public IReadOnlySet<int> Pinned { get; set; } = new HashSet<int>();
    [Parameter] public EventCallback<LeaderboardRow> PinToggled { get; set; }
    /// <summary>Latest progress of running jobs (from SignalR), by job id; overrides the snapshot in the rows.</summary>
    [Parameter] public IReadOnlyDictionary<int, Portal.Web.Progress.JobProgressMessage>? Live { get; set; }
    /// <summary>Rows per page (a pager appears beyond it); 0 shows every row on one page.</summary>
    [Parameter] public int PageSize { get; set; } = 100;
    /// <summary>Sort by L∞ robust accuracy, best first, until the visitor clicks a header.</summary>
    [Parameter] public bool InitialSort { get; set; }
    /// <summary>Rendered as static HTML (anonymous visitors' board): no pin buttons, which would need a circuit.</summary>
    [Parameter] public bool Static { get; set; }

    /// <summary>The rows in the order and selection the visitor sees (for exports).</summary>
    public IReadOnlyList<LeaderboardRow> VisibleRows
    {
        get
        {
            if (_grid == null) return Rows;
            // FilteredItems is not sorted: apply the grid's sort definitions (stable, over the default ranking).
            IEnumerable<LeaderboardRow> items = _grid.FilteredItems;
            IOrderedEnumerable<LeaderboardRow>? ordered = null;
            foreach (var d in _grid.SortDefinitions.Values.OrderBy(d => d.Index))
            {
                IComparer<object?> cmp = d.Comparer ?? Comparer<object?>.Default;
                ordered = ordered == null
                    ? (d.Descending ? items.OrderByDescending(d.SortFunc, cmp) : items.OrderBy(d.SortFunc, cmp))
                    : (d.Descending ? ordered.ThenByDescending(d.SortFunc, cmp) : ordered.ThenBy(d.SortFunc, cmp));
            }
            return (ordered ?? items).ToList();
        }
    }

    /// <summary>Optional columns shown: those with a value in at least one row of the board (no empty L2, Family or Params column).</summary>
    private HashSet<string> _show = [];

    protected override void OnParametersSet()
    {
        var all = Board.Rows;
        _show = [];
        if (all.Any(r => r.Family != "")) _show.Add("family");
        if (all.Any(r => r.Backbone != "")) _show.Add("backbone");
        if (all.Any(r => r.FineTuning is not ("" or "none"))) _show.Add("finetuning");
        if (all.Any(r => r.TrainingData != "")) _show.Add("training");
        if (all.Any(r => r.ParameterCount.HasValue)) _show.Add("params");
        if (all.Any(r => Items(r).HasValue)) _show.Add("items");
        if (all.Any(r => r.CostSeconds.HasValue)) _show.Add("cost");
        if (all.Any(r => r.Date.HasValue)) _show.Add("date");
        if (all.Any(r => !string.IsNullOrEmpty(r.PaperUrl))) _show.Add("paper");
        _best = Kinds.ToDictionary(AccuracyKinds.Key, k => Leaderboard.Best(Rows, r => r.Get(k)));
        foreach (var name in Board.BreakdownNames)
            foreach (var k in Kinds) _best[$"{name}|{k.Key()}"] = Leaderboard.Best(Rows, r => r.Cell(name).Get(k));
    }

    private static string ShortHeader(AccuracyKind k) => k switch { AccuracyKind.Clean => "clean", AccuracyKind.Linf => "L∞", _ => "L2" };
    private string RowClass(LeaderboardRow r, int _) => (Pinned.Contains(r.EncoderId) ? "lb-row lb-pinned" : "lb-row") + (r.IsReported ? " lb-reported" : r.Linked != null ? " lb-linked-row" : "");

    // Material "menu_book": the mark of a number a paper reports.
    private const string BookIcon = "M21 5c-1.11-.35-2.33-.5-3.5-.5-1.95 0-4.05.4-5.5 1.5-1.45-1.1-3.55-1.5-5.5-1.5S2.45 4.9 1 6v14.65c0 .25.25.5.5.5.1 0 .15-.05.25-.05C3.1 20.45 5.05 20 6.5 20c1.95 0 4.05.4 5.5 1.5 1.35-.85 3.8-1.5 5.5-1.5 1.65 0 3.35.3 4.75 1.05.1.05.15.05.25.05.25 0 .5-.25.5-.5V6c-.6-.45-1.25-.75-2-1zm0 13.5c-1.1-.35-2.3-.5-3.5-.5-1.7 0-4.15.65-5.5 1.5V8c1.35-.85 3.8-1.5 5.5-1.5 1.2 0 2.4.15 3.5.5v11.5z";

    /// <summary>
    /// Threat models some row has a number on (no empty L2 column); reported-only boards with no headline split keep their
    /// columns (the breakdown carries the numbers). Clean stays on measured boards: it is what every evaluation reports.
    /// </summary>
    private IEnumerable<AccuracyKind> MainKinds => Board.ReportedOnly
        ? Kinds.Where(k => Board.Rows.Any(r => r.Get(k).HasValue) || Board.BreakdownNames.Count == 0)
        : Kinds.Where(k => k == AccuracyKind.Clean || Board.Rows.Any(r => r.Get(k).HasValue));

    private string HeaderTip(AccuracyKind kind)
    {
        var what = kind == AccuracyKind.Clean ? "Clean 2AFC accuracy: % of triplets where the encoder agrees with the human judgement"
            : $"Robust 2AFC accuracy under attack: % of triplets still agreeing with the human after APGD perturbs the images within {(kind == AccuracyKind.Linf ? "L∞" : "L2")} ε={(kind == AccuracyKind.Linf ? Board.LinfEps : Board.L2Eps)}"
              + (Board.Budget(kind) is { } b ? $" ({b.Iterations} iterations of APGD on the cross-entropy loss, {b.Restarts} restart{(b.Restarts == 1 ? "" : "s")}; a cell measured with another budget is marked)" : "");
        var mean = Board.BreakdownKind == "benchmark" ? " Overview: the mean over benchmarks, which has no single N, so no interval here (each benchmark's board has them)." : "";
        return $"{what}. Higher is better; bold = the column's best. Hover a cell for its 95% Wilson score interval over the N items; reported numbers have no N, so no interval.{mean}";
    }

    private RankInfo Rank(LeaderboardRow r) => Board.Ranking.GetValueOrDefault(r.EncoderId) ?? new RankInfo(0, null, null);

    private static string Params(long? n) => n is 0 ? "0" : n is long p ? (p >= 1e9 ? (p / 1e9).ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture) + " B" : (p / 1e6).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " M") : "–";

    /// <summary>The N shown: the clean run's, or the largest robust run's when there is no clean one.</summary>
    private static int? Items(LeaderboardRow r) => (r.CleanRun ?? r.LinfRun ?? r.L2Run)?.N;

    private static string Seconds(double s) => s < 100 ? s.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s"
        : s < 3600 ? s.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " s" : (s / 3600).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " h";

    /// <summary>Why a robust cell's attack budget is not its column's ("10 iterations, fewer than the column's 100"); null when it is.</summary>
    private string? BudgetMark(AccuracyKind kind, Measurement run)
    {
        if (kind == AccuracyKind.Clean || Board.Budget(kind) is not { } col) return null;
        var notes = new List<string>();
        if (run.Iterations != col.Iterations) notes.Add($"{run.Iterations} iterations, {(run.Iterations < col.Iterations ? "fewer" : "more")} than the column's {col.Iterations}");
        if (run.Restarts != col.Restarts) notes.Add($"{run.Restarts} restart{(run.Restarts == 1 ? "" : "s")}, {(run.Restarts < col.Restarts ? "fewer" : "more")} than the column's {col.Restarts}");
        return notes.Count == 0 ? null : string.Join("; ", notes) + (run.Iterations < col.Iterations || run.Restarts < col.Restarts ? " (a weaker attack: this robust accuracy may be optimistic)" : "");
    }

    private static string Warn(ReportedCell c) => c.Contradiction ? " ⚠" : "";

    // Material "warning_amber".
    private const string WarnIcon = "M12 5.99 19.53 19H4.47L12 5.99M12 2 1 21h22L12 2zm1 14h-2v2h2v-2zm0-6h-2v4h2v-4z";

    private static RenderFragment Cell(double? value, double? best) => builder =>
    {
        if (Percent.IsBest(value, best))
        {
            builder.OpenElement(0, "b");
            builder.AddContent(1, Percent.Format(value));
            builder.CloseElement();
        }
        else builder.AddContent(2, Percent.Format(value));
    };
}
