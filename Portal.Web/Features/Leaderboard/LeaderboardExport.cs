using System.Globalization;
using System.Text;

namespace Portal.Web.Features.Leaderboard;

/// <summary>
/// CSV and JSON forms of a leaderboard's rows, in the order given (the grid's current sort and filter). Accuracies are
/// fractions in [0,1] with full precision; the grid shows the same numbers as percentages with one decimal.
/// </summary>
public static class LeaderboardExport
{
    public static string FileName(Leaderboard board, string extension) => Export.TableExport.FileName("leaderboard", board.Title, board.Key, extension);

    public static string Csv(Leaderboard board, IEnumerable<LeaderboardRow> rows)
    {
        var sb = new StringBuilder();
        var head = new List<string> { "rank", "encoder_id", "encoder", "family", "backbone", "fine_tuning", "clean", $"linf_{board.LinfEps}", $"l2_{board.L2Eps}", "sanity_passed", "running_jobs", "source", "reported_in",
            "linf_audit", "linf_best_known", "l2_audit", "l2_best_known",
            "clean_lo", "clean_hi", "linf_lo", "linf_hi", "l2_lo", "l2_hi", "clean_n", "linf_n", "l2_n", "linf_iterations", "linf_restarts", "l2_iterations", "l2_restarts",
            "default_rank", "tied_with_rank", "device_seconds", "devices", "date", "parameters", "training_data", "trained_on_this_benchmark", "paper_url" };
        foreach (var b in board.BreakdownNames) { head.Add($"{board.BreakdownKind}:{b}:clean"); head.Add($"{board.BreakdownKind}:{b}:linf"); head.Add($"{board.BreakdownKind}:{b}:l2"); }
        // Each breakdown number's N and 95% Wilson interval, after the values (the value columns keep their positions).
        foreach (var b in board.BreakdownNames)
            foreach (var k in Kinds) head.AddRange([$"{board.BreakdownKind}:{b}:{k.Key()}_n", $"{board.BreakdownKind}:{b}:{k.Key()}_lo", $"{board.BreakdownKind}:{b}:{k.Key()}_hi"]);
        sb.AppendLine(string.Join(',', head.Select(Esc)));
        var rank = 0;
        foreach (var r in rows)
        {
            var line = new List<string?> { I(++rank), I(r.EncoderId), r.Encoder, r.Family, r.Backbone, r.FineTuning, D(r.Clean), D(r.Linf), D(r.L2),
                r.SanityPassed ? "true" : "false", string.Join(' ', r.Running.Select(j => j.JobId)), r.IsReported ? "reported" : "measured",
                (r.Reported ?? r.Linked)?.Provenance, AuditText(r.LinfAudit), D(r.LinfAudit?.WorstCase), AuditText(r.L2Audit), D(r.L2Audit?.WorstCase) };
            foreach (var k in Kinds) { line.Add(D(r.Ci(k)?.Lo)); line.Add(D(r.Ci(k)?.Hi)); }
            foreach (var k in Kinds) line.Add(r.Run(k) is { } m ? I(m.N) : "");
            line.AddRange([r.LinfRun is { } li ? I(li.Iterations) : "", r.LinfRun is { } lr ? I(lr.Restarts) : "", r.L2Run is { } l2i ? I(l2i.Iterations) : "", r.L2Run is { } l2r ? I(l2r.Restarts) : ""]);
            var rk = board.Ranking.GetValueOrDefault(r.EncoderId);
            line.AddRange([rk is null ? "" : I(rk.Rank), rk?.TiedWith is int t ? I(t) : "", D(r.CostSeconds), string.Join(' ', r.Devices), Date(r.Date),
                r.ParameterCount?.ToString(CultureInfo.InvariantCulture) ?? "", r.TrainingData, r.TrainedOnThisBenchmark ? "true" : "false", r.PaperUrl]);
            foreach (var b in board.BreakdownNames) { var c = r.Cell(b); line.Add(D(c.Clean)); line.Add(D(c.Linf)); line.Add(D(c.L2)); }
            foreach (var b in board.BreakdownNames)
                foreach (var k in Kinds) { var c = r.Cell(b); line.AddRange([c.N(k) is int n ? I(n) : "", D(c.Ci(k)?.Lo), D(c.Ci(k)?.Hi)]); }
            sb.AppendLine(string.Join(',', line.Select(Esc)));
        }
        return sb.ToString();
    }

    /// <summary>The JSON document /api/leaderboards/{benchmark} serves (snake_case by the API's serializer).</summary>
    public static object Json(Leaderboard board, IEnumerable<LeaderboardRow> rows) => new
    {
        key = board.Key, title = board.Title, description = board.Description, benchmark_id = board.BenchmarkId,
        linf_eps = board.LinfEps, l2_eps = board.L2Eps, interval = "95% Wilson score interval over the N items",
        // Scripts are told what the page tells people: demo data, and a demo threat model that is not the paper's.
        demo = board.IsDemo, demo_note = board.IsDemo ? Components.DemoDataNotice.Text(board.DemoThreatModelNote) : null,
        linf_budget = board.LinfBudget is { } lb ? new { iterations = lb.Iterations, restarts = lb.Restarts, attack = "apgd-ce" } : null,
        l2_budget = board.L2Budget is { } l2b ? new { iterations = l2b.Iterations, restarts = l2b.Restarts, attack = "apgd-ce" } : null, breakdown_kind = board.BreakdownKind, breakdown = board.BreakdownNames,
        rows = rows.Select((r, i) => new
        {
            rank = i + 1, encoder_id = r.EncoderId, encoder = r.Encoder, family = r.Family, backbone = r.Backbone, fine_tuning = r.FineTuning,
            robust_model = r.IsRobustModel, clean = r.Clean, linf = r.Linf, l2 = r.L2, sanity_passed = r.SanityPassed, result_ids = r.ResultIds,
            linf_audit = Audit(r.LinfAudit), l2_audit = Audit(r.L2Audit),
            // 95% Wilson score intervals over the N items (null on reported rows and overview means: no N).
            clean_lo = r.Ci(AccuracyKind.Clean)?.Lo, clean_hi = r.Ci(AccuracyKind.Clean)?.Hi, linf_lo = r.Ci(AccuracyKind.Linf)?.Lo, linf_hi = r.Ci(AccuracyKind.Linf)?.Hi,
            l2_lo = r.Ci(AccuracyKind.L2)?.Lo, l2_hi = r.Ci(AccuracyKind.L2)?.Hi,
            runs = Kinds.Where(k => r.Run(k) != null).ToDictionary(k => k.ToString().ToLowerInvariant(), k => r.Run(k) is { } m ? new
            {
                result_id = m.ResultId, n = m.N, attack = m.Attack, iterations = m.Iterations, restarts = m.Restarts, limit = m.Limit, device_seconds = m.WallSeconds, device = m.Device, created_at = m.CreatedAt,
            } : null),
            default_rank = board.Ranking.GetValueOrDefault(r.EncoderId)?.Rank, tied_with_rank = board.Ranking.GetValueOrDefault(r.EncoderId)?.TiedWith,
            device_seconds = r.CostSeconds, devices = r.Devices, date = r.Date, parameters = r.ParameterCount, training_data = r.TrainingData,
            trained_on_this_benchmark = r.TrainedOnThisBenchmark, paper_url = r.PaperUrl,
            breakdown = r.Breakdown.ToDictionary(kv => kv.Key, kv => new
            {
                clean = kv.Value.Clean, linf = kv.Value.Linf, l2 = kv.Value.L2,
                clean_n = kv.Value.CleanN, linf_n = kv.Value.LinfN, l2_n = kv.Value.L2N,
                clean_lo = kv.Value.Ci(AccuracyKind.Clean)?.Lo, clean_hi = kv.Value.Ci(AccuracyKind.Clean)?.Hi, linf_lo = kv.Value.Ci(AccuracyKind.Linf)?.Lo,
                linf_hi = kv.Value.Ci(AccuracyKind.Linf)?.Hi, l2_lo = kv.Value.Ci(AccuracyKind.L2)?.Lo, l2_hi = kv.Value.Ci(AccuracyKind.L2)?.Hi,
            }),
            source = r.IsReported ? "reported" : "measured",
            reported = (r.Reported ?? r.Linked) is { } m ? new
            {
                method = m.Method, encoder = m.Encoder, training = m.Training, tables = m.Tables, papers = m.Papers,
                cells = m.Cells.ToDictionary(kv => kv.Key, kv => new { value = kv.Value.Shown.ValueText, table = kv.Value.Shown.Table, row = kv.Value.Shown.Row,
                    contradiction = kv.Value.Contradiction, others = kv.Value.Others.Select(o => new { value = o.ValueText, table = o.Table, row = o.Row }), notes = kv.Value.All.Select(v => v.Note).Where(n => n.Length > 0).Distinct() }),
            } : null,
            running = r.Running.Select(j => new { job_id = j.JobId, preset = j.Preset, status = j.Status, done = j.Done, total = j.Total }),
        }),
    };

    private static readonly AccuracyKind[] Kinds = [AccuracyKind.Clean, AccuracyKind.Linf, AccuracyKind.L2];
    private static string Date(DateTime? d) => d?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "";
    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string D(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    private static string Esc(string? s) => Http.CsvCell.Escape(s);

    /// <summary>"passed" / "warning" / "" (not audited).</summary>
    private static string AuditText(AuditBadge? a) => a == null ? "" : a.Passed ? "passed" : "warning";

    private static object? Audit(AuditBadge? a) => a == null ? null : new { passed = a.Passed, verdict = a.Verdict, best_known = a.WorstCase, result_id = a.ResultId };
}
