using System.Globalization;
using Portal.Data.Entities;
using Portal.Web.Features.Encoders;

namespace Portal.Web.Features.Leaderboard;

/// <summary>
/// Pure construction of leaderboards from records already in memory (the service loads them; the render benchmark
/// feeds synthetic ones). One row per encoder; for each accuracy kind the single most complete result is used.
/// </summary>
public static class LeaderboardBuilder
{
    public const string OverviewKey = "overview";
    public const double DefaultLinfEps = 4.0 / 255, DefaultL2Eps = 3.0;

    /// <summary>A benchmark's leaderboard: main columns over the whole split, breakdown per sub-split.</summary>
    public static Leaderboard ForBenchmark(BenchmarkRecord bench, IReadOnlyList<EncoderRecord> encoders, IReadOnlyList<ResultRecord> results, IReadOnlyList<JobRecord> activeJobs)
    {
        results = results.Where(r => r.DatasetId == bench.Id).ToList();
        // A demo 2AFC board ranks at its own threat model (Presets.DemoLinfEps) whenever it has results there: the column
        // must not jump to another ε because a submitter ran only the paper's (the header and notice name which it is).
        var preferred = bench.IsDemo && results.Any(r => r.Config.Attack == "apgd" && r.Config.Norm == "linf" && SameEps(r.Config.Eps, Portal.Web.Features.Jobs.Presets.DemoLinfEps))
            ? Portal.Web.Features.Jobs.Presets.DemoLinfEps : (double?)null;
        var (linfEps, l2Eps) = (preferred ?? CommonEps(results, "linf", DefaultLinfEps), CommonEps(results, "l2", DefaultL2Eps));
        var splitNames = bench.Splits.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(results.SelectMany(r => r.Splits.Select(s => s.Name))).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();
        var byEncoder = results.ToLookup(r => r.EncoderId);
        var jobs = activeJobs.Where(j => j.DatasetId == bench.Id).ToLookup(j => j.EncoderId);
        var rows = new List<LeaderboardRow>();
        foreach (var e in encoders)
        {
            var mine = byEncoder[e.Id].ToList();
            if (mine.Count == 0 && !jobs[e.Id].Any()) continue;
            var pick = Pick(mine, linfEps, l2Eps);
            var breakdown = new Dictionary<string, LeaderboardCell>();
            foreach (var s in splitNames)
            {
                var (clean, linf, l2) = (Split(pick.Clean, s), Split(pick.Linf, s), Split(pick.L2, s));
                var cell = new LeaderboardCell(clean?.CleanValue, linf?.RobustValue, l2?.RobustValue)
                {
                    CleanN = clean?.N, LinfN = linf?.RobustValue.HasValue == true ? linf.N : null, L2N = l2?.RobustValue.HasValue == true ? l2.N : null,
                };
                if (cell != LeaderboardCell.Empty) breakdown[s] = cell;
            }
            rows.Add(Row(e, pick, breakdown, jobs[e.Id], AuditOf(mine, "linf", linfEps), AuditOf(mine, "l2", l2Eps), NightsBoard(bench.Name)));
        }
        return new Leaderboard
        {
            Key = bench.Id.ToString(CultureInfo.InvariantCulture), Title = bench.Name, Description = bench.Description, BenchmarkId = bench.Id, IsDemo = bench.IsDemo, DemoLinfEps = bench.IsDemo ? LinfLabel(linfEps) : null,
            BreakdownKind = "split", BreakdownNames = splitNames, LinfEps = LinfLabel(linfEps), L2Eps = L2Label(l2Eps), Rows = Ranked(rows),
            LinfBudget = ColumnBudget(rows.Select(r => r.LinfRun)), L2Budget = ColumnBudget(rows.Select(r => r.L2Run)),
        };
    }

    private static ResultSplit? Split(ResultRecord? r, string name) => r?.Splits.FirstOrDefault(x => x.Name == name);

    /// <summary>The overview: main columns are the mean over the benchmarks an encoder has that number on; breakdown per benchmark.</summary>
    public static Leaderboard Overview(IReadOnlyList<BenchmarkRecord> benchmarks, IReadOnlyList<EncoderRecord> encoders, IReadOnlyList<ResultRecord> results, IReadOnlyList<JobRecord> activeJobs)
    {
        var boards = benchmarks.Select(b => ForBenchmark(b, encoders, results, activeJobs)).Where(b => b.Rows.Count > 0).ToList();
        var rows = new List<LeaderboardRow>();
        foreach (var e in encoders)
        {
            var mine = boards.Select(b => (Board: b, Row: b.Rows.FirstOrDefault(r => r.EncoderId == e.Id))).Where(x => x.Row != null).ToList();
            if (mine.Count == 0) continue;
            var breakdown = mine.ToDictionary(x => x.Board.Title, x => new LeaderboardCell(x.Row!.Clean, x.Row.Linf, x.Row.L2)
                { CleanN = x.Row.CleanRun?.N, LinfN = x.Row.LinfRun?.N, L2N = x.Row.L2Run?.N });
            var template = mine[0].Row!;
            rows.Add(new LeaderboardRow
            {
                EncoderId = e.Id, Encoder = template.Encoder, Family = template.Family, Backbone = template.Backbone, FineTuning = template.FineTuning,
                IsRobustModel = template.IsRobustModel, Clean = Mean(mine.Select(x => x.Row!.Clean)), Linf = Mean(mine.Select(x => x.Row!.Linf)),
                L2 = Mean(mine.Select(x => x.Row!.L2)), Breakdown = breakdown, SanityPassed = mine.All(x => x.Row!.SanityPassed),
                ResultIds = mine.SelectMany(x => x.Row!.ResultIds).ToList(), Running = mine.SelectMany(x => x.Row!.Running).ToList(),
                // Means over benchmarks have no single N: no interval here (each benchmark's board has them); cost is the sum.
                CostSeconds = mine.Any(x => x.Row!.CostSeconds.HasValue) ? mine.Sum(x => x.Row!.CostSeconds ?? 0) : null,
                Devices = mine.SelectMany(x => x.Row!.Devices).Distinct().Order(StringComparer.Ordinal).ToList(), Date = mine.Max(x => x.Row!.Date),
                ParameterCount = template.ParameterCount, PaperUrl = template.PaperUrl, TrainingData = template.TrainingData,
                TrainedOnThisBenchmark = mine.Any(x => x.Row!.TrainedOnThisBenchmark),
            });
        }
        // The headers name one ε; when benchmarks disagree the overview says "mixed" rather than pretend.
        string Eps(Func<Leaderboard, string> f) => boards.Select(f).Distinct().ToList() is { Count: 1 } one ? one[0] : boards.Count == 0 ? "" : "mixed";
        return new Leaderboard
        {
            Key = OverviewKey, Title = "Overview", Description = "Mean accuracy over the benchmarks each encoder was evaluated on; expand the columns to see each benchmark.",
            BreakdownKind = "benchmark", BreakdownNames = boards.Select(b => b.Title).ToList(), IsDemo = boards.Any(b => b.IsDemo),
            DemoLinfEps = boards.Where(b => b.IsDemo).Select(b => b.DemoLinfEps).Distinct().ToList() is [var only] ? only : null,
            LinfEps = boards.Count == 0 ? LinfLabel(DefaultLinfEps) : Eps(b => b.LinfEps), L2Eps = boards.Count == 0 ? L2Label(DefaultL2Eps) : Eps(b => b.L2Eps), Rows = Ranked(rows),
            LinfBudget = SameBudget(boards.Select(b => b.LinfBudget)), L2Budget = SameBudget(boards.Select(b => b.L2Budget)),
        };
    }

    private sealed record Picked(ResultRecord? Clean, double? CleanValue, ResultRecord? Linf, ResultRecord? L2, IReadOnlyList<ResultRecord> All);

    /// <summary>Per kind, the most complete result (all items, then most items), then the strongest attack, then the newest.</summary>
    private static Picked Pick(List<ResultRecord> rs, double linfEps, double l2Eps)
    {
        static ResultRecord? Best(IEnumerable<ResultRecord> c) => c
            .OrderBy(r => r.Config.Limit.HasValue).ThenByDescending(r => r.N)
            .ThenByDescending(r => (long)r.Config.Iterations * Math.Max(1, r.Config.Restarts)).ThenByDescending(r => r.CreatedAt).FirstOrDefault();
        // Attack runs report clean accuracy too; they stand in when no clean-only run exists.
        var clean = Best(rs.Where(r => !r.Config.IsAttack)) ?? Best(rs);
        // Robust columns are APGD's: a Square Attack run is a check on them (docs/two-afc.md), not the same number.
        var linf = Best(rs.Where(r => r.Config.Attack == "apgd" && r.Config.Norm == "linf" && SameEps(r.Config.Eps, linfEps)));
        var l2 = Best(rs.Where(r => r.Config.Attack == "apgd" && r.Config.Norm == "l2" && SameEps(r.Config.Eps, l2Eps)));
        var used = new[] { clean, linf, l2 }.Where(r => r != null).Select(r => r!).Distinct().ToList();
        return new Picked(clean, clean?.CleanValue, linf, l2, used);
    }

    /// <summary>The newest audit of this threat model, read from its report (passed, verdict; the worst case is its robust number).</summary>
    public static AuditBadge? AuditOf(IEnumerable<ResultRecord> rs, string norm, double eps)
    {
        var audit = rs.Where(r => r.Config.Attack == "audit" && r.Config.Norm == norm && SameEps(r.Config.Eps, eps)).MaxBy(r => r.CreatedAt);
        if (audit?.RobustValue is not double worst) return null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(audit.FullJson);
            var root = doc.RootElement;
            var passed = root.TryGetProperty("passed", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.True;
            var verdict = root.TryGetProperty("verdict", out var v) ? v.GetString() ?? "" : "";
            return new AuditBadge(passed, verdict, worst, audit.Id);
        }
        catch (System.Text.Json.JsonException) { return new AuditBadge(false, "the audit's report could not be read", worst, audit.Id); }
    }

    private static LeaderboardRow Row(EncoderRecord e, Picked pick, Dictionary<string, LeaderboardCell> breakdown,
        IEnumerable<JobRecord> jobs, AuditBadge? linfAudit, AuditBadge? l2Audit, bool nightsBoard)
    {
        var (ft, robust) = FineTuning.Of(e);
        var used = pick.All;
        var training = e.TrainingDataShown;
        return new LeaderboardRow
        {
            EncoderId = e.Id, Encoder = e.DisplayName, Family = e.Family ?? FamilyOf(e), Backbone = e.Backbone ?? e.Architecture ?? "", FineTuning = ft,
            IsRobustModel = robust, Clean = pick.CleanValue, Linf = pick.Linf?.RobustValue, L2 = pick.L2?.RobustValue, Breakdown = breakdown, SanityPassed = used.All(r => r.SanityPassed),
            LinfAudit = linfAudit, L2Audit = l2Audit,
            CleanRun = MeasuredClean(pick.Clean, pick.Clean?.CleanValue), LinfRun = Measured(pick.Linf, pick.Linf?.RobustValue), L2Run = Measured(pick.L2, pick.L2?.RobustValue),
            CostSeconds = used.Count == 0 ? null : used.Sum(r => r.WallSeconds), Devices = used.Select(r => r.Device).Where(d => d != "").Distinct().Order(StringComparer.Ordinal).ToList(),
            Date = used.Count == 0 ? null : used.Max(r => r.CreatedAt), ParameterCount = e.ParameterCount, PaperUrl = e.PaperUrl,
            TrainingData = training, TrainedOnThisBenchmark = nightsBoard && training.Contains("NIGHTS", StringComparison.Ordinal),
            ResultIds = used.Select(r => r.Id).Distinct().ToList(),
            Running = jobs.OrderBy(j => j.Id).Select(j => new RunningEvaluation(j.Id, j.Preset, j.Status.ToString().ToLowerInvariant(), j.Done, j.Total, j.CleanValue, j.RobustValue)).ToList(),
        };
    }

    private static Measurement? Measured(ResultRecord? r, double? value) => r == null || value is not double v ? null
        : new Measurement(r.Id, v, r.N, r.Config.Attack, r.Config.Iterations, r.Config.Restarts, r.Config.Limit, r.WallSeconds, r.Device, r.CreatedAt);

    /// <summary>A clean cell involves no attack even when it came from an attack run: it says so, never that run's attack and budget.</summary>
    private static Measurement? MeasuredClean(ResultRecord? r, double? value) =>
        Measured(r, value) is { } m ? m with { Attack = "none", Iterations = 0, Restarts = 0 } : null;

    /// <summary>A robust column's budget: the (iterations, restarts) most of its rows were measured with; on a tie the stronger.</summary>
    public static AttackBudget? ColumnBudget(IEnumerable<Measurement?> runs) => runs.Where(r => r != null)
        .GroupBy(r => new AttackBudget(r!.Iterations, r.Restarts)).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key.Strength)
        .Select(g => g.Key).FirstOrDefault();

    private static AttackBudget? SameBudget(IEnumerable<AttackBudget?> budgets) => budgets.Where(b => b != null).Distinct().ToList() is { Count: 1 } one ? one[0] : null;

    /// <summary>Boards of NIGHTS (its test split): a model tuned on NIGHTS' training split is marked there.</summary>
    public static bool NightsBoard(string benchmark) => benchmark.StartsWith("NIGHTS", StringComparison.OrdinalIgnoreCase);

    /// <summary>When the submitter named no family, the loader's architecture says it ("openclip-vit" → "openclip").</summary>
    private static string FamilyOf(EncoderRecord e) =>
        e.IsBuiltin ? "baseline" : e.Architecture is { } a && a.IndexOf('-') is > 0 and var i ? a[..i] : e.Architecture ?? "";

    /// <summary>Default order: robust accuracy (L∞, then L2), then clean, best first; ties by name so the order is stable.</summary>
    private static List<LeaderboardRow> Ranked(List<LeaderboardRow> rows) => rows
        .OrderByDescending(r => r.Linf ?? -1).ThenByDescending(r => r.L2 ?? -1).ThenByDescending(r => r.Clean ?? -1)
        .ThenBy(r => r.Encoder, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.EncoderId).ToList();

    private static double CommonEps(IEnumerable<ResultRecord> results, string norm, double fallback) =>
        results.Where(r => r.Config.Attack == "apgd" && r.Config.Norm == norm).GroupBy(r => Math.Round(r.Config.Eps, 6))
            .OrderByDescending(g => g.Select(r => r.EncoderId).Distinct().Count()).ThenBy(g => g.Key).Select(g => g.First().Config.Eps)
            .DefaultIfEmpty(fallback).First();

    private static bool SameEps(double a, double b) => Math.Abs(a - b) < 1e-6;
    private static double? Mean(IEnumerable<double?> values) => values.Where(v => v.HasValue).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average() is var m && double.IsNaN(m) ? null : m;

    public static string LinfLabel(double eps) => string.Create(CultureInfo.InvariantCulture, $"{eps * 255:0.##}/255");
    public static string L2Label(double eps) => eps.ToString("0.##", CultureInfo.InvariantCulture);
}
