using System.Globalization;
using System.Text.RegularExpressions;
using Portal.Data.Entities;
using Portal.Data.Reported;
using Board = Portal.Web.Features.Leaderboard.Leaderboard;

namespace Portal.Web.Features.Leaderboard;

/// <summary>Where a group of reported numbers goes: a measured benchmark's board, or a board of its own.</summary>
public sealed record ReportedBoardInfo(string Key, string Title, string Benchmark, string Metric, int? BenchmarkId, int Models);

/// <summary>
/// Pure: turns reported results (numbers a paper prints) into leaderboard rows. 2AFC numbers of a benchmark registered
/// here (NIGHTS, BAPPS by name) join that benchmark's board; everything else (benchmarks with no local dataset) gets a
/// reported-only board per benchmark and metric. The paper's headline split (NIGHTS test, the BAPPS mean) fills the main
/// columns, other splits the breakdown. A cell printed by several tables shows the first table's token and lists the
/// others; when they differ it is a contradiction, flagged, never resolved. Ablations at another attack budget
/// (notes "APGD iterations = N", N ≠ 100) stay in the API but off the boards, whose columns are the common setup.
/// </summary>
public static partial class ReportedBoards
{
    public const string KeyPrefix = "reported-";
    public const string TwoAfcMetric = "2afc_accuracy";
    private static readonly HashSet<string> Headline = new(StringComparer.OrdinalIgnoreCase) { "test", "average (full test set)", "mean", "mean of 6 splits" };

    [GeneratedRegex(@"APGD iterations = (\d+)")] private static partial Regex Iterations();

    /// <summary>Shown on the board: a number measured at the common attack budget (or clean), not an ablation point.</summary>
    public static bool OnBoards(ReportedResultRecord r) =>
        !(Iterations().Match(r.Note) is { Success: true } m && m.Groups[1].Value != "100");

    /// <summary>The measured 2AFC benchmark whose name starts with the reported benchmark's ("NIGHTS", "NIGHTS test", "bapps-val").</summary>
    public static BenchmarkRecord? MeasuredFor(string benchmark, string metric, IEnumerable<BenchmarkRecord> measured) =>
        metric != TwoAfcMetric ? null : measured.OrderBy(b => b.Id).FirstOrDefault(b => FirstWord(b.Name).Equals(Slug(benchmark), StringComparison.Ordinal));

    /// <summary>Every board reported numbers appear on.</summary>
    public static List<ReportedBoardInfo> Catalog(IReadOnlyList<ReportedResultRecord> reported, IReadOnlyList<BenchmarkRecord> measured)
    {
        var list = new List<ReportedBoardInfo>();
        var metricsPerBenchmark = reported.GroupBy(r => r.Benchmark).ToDictionary(g => g.Key, g => g.Select(r => r.Metric).Distinct().Count());
        foreach (var g in reported.Where(OnBoards).GroupBy(r => (r.Benchmark, r.Metric)).OrderBy(g => g.Min(r => ReportedCsv.TableOrder(r.Table))).ThenBy(g => g.Key.Benchmark).ThenBy(g => g.Key.Metric))
        {
            var models = g.Select(r => (r.Method, r.Encoder, r.Training)).Distinct().Count();
            var bench = MeasuredFor(g.Key.Benchmark, g.Key.Metric, measured);
            if (bench != null) { list.Add(new ReportedBoardInfo(bench.Id.ToString(CultureInfo.InvariantCulture), bench.Name, g.Key.Benchmark, g.Key.Metric, bench.Id, models)); continue; }
            var several = metricsPerBenchmark[g.Key.Benchmark] > 1;
            list.Add(new ReportedBoardInfo(KeyPrefix + Slug(several ? $"{g.Key.Benchmark} {g.Key.Metric}" : g.Key.Benchmark),
                several ? $"{g.Key.Benchmark} · {MetricLabel(g.Key.Metric)}" : g.Key.Benchmark, g.Key.Benchmark, g.Key.Metric, null, models));
        }
        return list;
    }

    /// <summary>A reported-only board (key from <see cref="Catalog"/>); null when no such board.</summary>
    public static Board? ReportedOnly(string key, IReadOnlyList<ReportedResultRecord> reported, IReadOnlyList<BenchmarkRecord> measured)
    {
        var info = Catalog(reported, measured).FirstOrDefault(b => b.BenchmarkId == null && b.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
        if (info == null) return null;
        var records = reported.Where(r => r.Benchmark == info.Benchmark && r.Metric == info.Metric && OnBoards(r)).ToList();
        var percent = IsPercent(info.Metric);
        var linf = CommonEps(records, "linf") ?? LeaderboardBuilder.LinfLabel(LeaderboardBuilder.DefaultLinfEps);
        var l2 = CommonEps(records, "l2") ?? LeaderboardBuilder.L2Label(LeaderboardBuilder.DefaultL2Eps);
        var (rows, names) = Rows(records, linf, l2, percent, AllModels(reported));
        return new Board
        {
            Key = info.Key, Title = info.Title, Description = $"Reported in {string.Join(", ", records.Select(r => r.Paper).Distinct().Select(p => p.Replace(':', ' ')))}; no local dataset, so nothing is measured here yet.",
            BreakdownKind = "split", BreakdownNames = names, LinfEps = linf, L2Eps = l2, Rows = Ranked(rows), ReportedOnly = true, Percentages = percent,
            Metric = MetricLabel(info.Metric), ReportedSetup = ReportedSetup.Describe(info.Benchmark, records), ReportedPapers = records.Select(r => r.Paper).Distinct().ToList(),
        };
    }

    /// <summary>
    /// A measured benchmark's board with the reported rows of its benchmark added, and measured rows of linked encoders
    /// given the reported model's cells (for "reported / reproduced / Δ").
    /// </summary>
    public static Board Merge(Board board, BenchmarkRecord bench, IReadOnlyList<ReportedResultRecord> reported, IReadOnlyList<EncoderRecord> encoders)
    {
        var records = reported.Where(r => r.Metric == TwoAfcMetric && OnBoards(r) && MeasuredFor(r.Benchmark, r.Metric, [bench]) != null).ToList();
        if (records.Count == 0) return board;
        var (rows, names) = Rows(records, board.LinfEps, board.L2Eps, true, AllModels(reported));
        var byName = rows.ToDictionary(r => Key(r.Reported!));
        var enc = encoders.ToDictionary(e => e.Id);
        var measured = board.Rows.Select(r => enc.GetValueOrDefault(r.EncoderId) is { ReportedMethod: { } m } e
            && byName.GetValueOrDefault((m, e.ReportedBackbone ?? "", e.ReportedTraining ?? "")) is { } twin ? With(r, twin.Reported!) : r);
        return new Board
        {
            Key = board.Key, Title = board.Title, Description = board.Description, BenchmarkId = board.BenchmarkId, BreakdownKind = board.BreakdownKind, IsDemo = board.IsDemo, DemoLinfEps = board.DemoLinfEps,
            BreakdownNames = board.BreakdownNames.Concat(names).Distinct().ToList(), LinfEps = board.LinfEps, L2Eps = board.L2Eps,
            Rows = Ranked(measured.Concat(rows).ToList()), ReportedSetup = ReportedSetup.Describe(records[0].Benchmark, records),
            LinfBudget = board.LinfBudget, L2Budget = board.L2Budget,
            ReportedPapers = records.Select(r => r.Paper).Distinct().ToList(), Metric = board.Metric,
        };
    }

    /// <summary>The reported models an admin can link an encoder to.</summary>
    public static List<(string Method, string Encoder, string Training)> Models(IEnumerable<ReportedResultRecord> reported) =>
        reported.Select(r => (r.Method, r.Encoder, r.Training)).Distinct().OrderBy(m => m.Method, StringComparer.Ordinal).ThenBy(m => m.Encoder, StringComparer.Ordinal).ThenBy(m => m.Training, StringComparer.Ordinal).ToList();

    private static Dictionary<(string, string, string), int> AllModels(IEnumerable<ReportedResultRecord> reported) =>
        Models(reported).Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);

    private static (string, string, string) Key(ReportedModel m) => (m.Method, m.Encoder, m.Training);

    private static LeaderboardRow With(LeaderboardRow r, ReportedModel twin) => new()
    {
        EncoderId = r.EncoderId, Encoder = r.Encoder, Family = r.Family, Backbone = r.Backbone, FineTuning = r.FineTuning, IsRobustModel = r.IsRobustModel,
        Clean = r.Clean, Linf = r.Linf, L2 = r.L2, Breakdown = r.Breakdown, SanityPassed = r.SanityPassed, ResultIds = r.ResultIds, Running = r.Running, Linked = twin,
        LinfAudit = r.LinfAudit, L2Audit = r.L2Audit, CleanRun = r.CleanRun, LinfRun = r.LinfRun, L2Run = r.L2Run, CostSeconds = r.CostSeconds, Devices = r.Devices,
        Date = r.Date, ParameterCount = r.ParameterCount, PaperUrl = r.PaperUrl, TrainingData = r.TrainingData, TrainedOnThisBenchmark = r.TrainedOnThisBenchmark,
    };

    private static (List<LeaderboardRow> Rows, List<string> Breakdown) Rows(List<ReportedResultRecord> records, string linfEps, string l2Eps, bool percent,
        Dictionary<(string, string, string), int> ids)
    {
        // Column of a record: main (headline split) or a breakdown; a radius other than the header's gets its own breakdown.
        (string? Breakdown, AccuracyKind Kind) Column(ReportedResultRecord r)
        {
            var kind = r.Threat switch { "linf" => AccuracyKind.Linf, "l2" => AccuracyKind.L2, _ => AccuracyKind.Clean };
            var headerEps = kind == AccuracyKind.Linf ? linfEps : l2Eps;
            var otherEps = kind != AccuracyKind.Clean && r.Eps != headerEps;
            string? name = Headline.Contains(r.Split) && !otherEps ? null : r.Split;
            if (otherEps) name = $"{r.Split} · ε={r.Eps}";
            return (name, kind);
        }
        var names = new List<string>();
        var rows = new List<LeaderboardRow>();
        foreach (var model in records.GroupBy(r => (r.Method, r.Encoder, r.Training)))
        {
            var cells = new Dictionary<string, ReportedCell>();
            foreach (var cell in model.GroupBy(Column))
            {
                var values = cell.OrderBy(r => ReportedCsv.TableOrder(r.Table)).ThenBy(r => r.Table, StringComparer.Ordinal).ThenBy(r => r.Row)
                    .Select(r => new ReportedValue(r.Paper, r.Table, r.Row, r.Source, r.ValueText, r.Value, r.Note)).ToList();
                var contradiction = values.Select(v => v.Value).Distinct().Count() > 1 || values.Any(v => ReportedCsv.FlagsContradiction(v.Note));
                cells[ReportedModel.CellKey(cell.Key.Breakdown, cell.Key.Kind)] = new ReportedCell(values[0], values.Skip(1).ToList(), contradiction);
                if (cell.Key.Breakdown is { } n && !names.Contains(n)) names.Add(n);
            }
            var rm = new ReportedModel { Method = model.Key.Method, Encoder = model.Key.Encoder, Training = model.Key.Training, Cells = cells };
            double? V(string? b, AccuracyKind k) => rm.Cell(b, k)?.Shown.Value is double v ? (percent ? v / 100 : v) : null;
            var breakdown = new Dictionary<string, LeaderboardCell>();
            foreach (var n in cells.Keys.Select(k => k[..k.LastIndexOf('|')]).Where(n => n.Length > 0).Distinct())
                breakdown[n] = new LeaderboardCell(V(n, AccuracyKind.Clean), V(n, AccuracyKind.Linf), V(n, AccuracyKind.L2));
            rows.Add(new LeaderboardRow
            {
                EncoderId = -1 - ids.GetValueOrDefault(model.Key), Encoder = rm.Name, Family = model.Key.Method.Split(" (")[0], Backbone = model.Key.Encoder,
                FineTuning = model.Key.Training, IsRobustModel = IsRobust(model.Key.Method), Clean = V(null, AccuracyKind.Clean), Linf = V(null, AccuracyKind.Linf),
                L2 = V(null, AccuracyKind.L2), Breakdown = breakdown, Reported = rm, TrainingData = model.Key.Training,
                TrainedOnThisBenchmark = model.Key.Training.Contains("NIGHTS", StringComparison.Ordinal) && records.Any(r => r.Benchmark.StartsWith("NIGHTS", StringComparison.OrdinalIgnoreCase)),
            });
        }
        return (rows, SortSplits(names));
    }

    private static List<string> SortSplits(List<string> names) => names.OrderBy(n => n.Contains("ε=") ? 1 : 0).ThenBy(n => n.StartsWith("mean", StringComparison.Ordinal) || n.StartsWith("average", StringComparison.Ordinal) ? 1 : 0).ToList();

    /// <summary>Adversarially fine-tuned (R-…), certified (LipSim) or robust-filtered models; the "robust" filter.</summary>
    public static bool IsRobust(string method) => method.StartsWith("R-", StringComparison.Ordinal) || method.Contains("R-CLIP", StringComparison.Ordinal) || method.StartsWith("LipSim", StringComparison.Ordinal);

    public static bool IsPercent(string metric) => !metric.Contains("cosine", StringComparison.OrdinalIgnoreCase);

    public static string MetricLabel(string metric) => metric switch
    {
        TwoAfcMetric => "2AFC accuracy (%)",
        "accuracy" => "accuracy (%)",
        "mAP" => "mAP (%)",
        "classification_accuracy" => "classification accuracy (%)",
        "odd_one_out_accuracy" => "odd-one-out accuracy (%)",
        "mean_cosine_similarity_original_vs_reconstruction" => "mean cosine similarity, original vs reconstruction",
        _ when metric.StartsWith("fraction_assigned_to_", StringComparison.Ordinal) => $"% of queries assigned to {metric["fraction_assigned_to_".Length..]}",
        _ => metric,
    };

    /// <summary>Same order as measured boards: L∞, then L2, then clean; ties by name.</summary>
    private static List<LeaderboardRow> Ranked(List<LeaderboardRow> rows) => rows
        .OrderByDescending(r => r.Linf ?? -1).ThenByDescending(r => r.L2 ?? -1).ThenByDescending(r => r.Clean ?? -1)
        .ThenBy(r => r.Encoder, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.FineTuning, StringComparer.Ordinal).ThenBy(r => r.EncoderId).ToList();

    private static string? CommonEps(IEnumerable<ReportedResultRecord> records, string norm) =>
        records.Where(r => r.Threat == norm).GroupBy(r => r.Eps).OrderByDescending(g => g.Count()).ThenByDescending(g => ReportedCsv.RadiusValue(g.Key)).Select(g => g.Key).FirstOrDefault();

    private static string FirstWord(string name) => Slug(name).Split('-')[0];

    public static string Slug(string s)
    {
        var chars = s.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = new string(chars);
        while (slug.Contains("--")) slug = slug.Replace("--", "-");
        return slug.Trim('-');
    }
}
