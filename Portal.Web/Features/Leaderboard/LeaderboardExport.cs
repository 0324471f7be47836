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
            "linf_audit", "linf_best_known", "l2_audit", "l2_best_known" };
        foreach (var b in board.BreakdownNames) { head.Add($"{board.BreakdownKind}:{b}:clean"); head.Add($"{board.BreakdownKind}:{b}:linf"); head.Add($"{board.BreakdownKind}:{b}:l2"); }
        sb.AppendLine(string.Join(',', head.Select(Esc)));
        var rank = 0;
        foreach (var r in rows)
        {
            var line = new List<string?> { I(++rank), I(r.EncoderId), r.Encoder, r.Family, r.Backbone, r.FineTuning, D(r.Clean), D(r.Linf), D(r.L2),
                r.SanityPassed ? "true" : "false", string.Join(' ', r.Running.Select(j => j.JobId)), r.IsReported ? "reported" : "measured",
                (r.Reported ?? r.Linked)?.Provenance, AuditText(r.LinfAudit), D(r.LinfAudit?.WorstCase), AuditText(r.L2Audit), D(r.L2Audit?.WorstCase) };
            foreach (var b in board.BreakdownNames) { var c = r.Cell(b); line.Add(D(c.Clean)); line.Add(D(c.Linf)); line.Add(D(c.L2)); }
            sb.AppendLine(string.Join(',', line.Select(Esc)));
        }
        return sb.ToString();
    }

    /// <summary>The JSON document /api/leaderboards/{benchmark} serves (snake_case by the API's serializer).</summary>
    public static object Json(Leaderboard board, IEnumerable<LeaderboardRow> rows) => new
    {
        key = board.Key, title = board.Title, description = board.Description, benchmark_id = board.BenchmarkId,
        linf_eps = board.LinfEps, l2_eps = board.L2Eps, breakdown_kind = board.BreakdownKind, breakdown = board.BreakdownNames,
        rows = rows.Select((r, i) => new
        {
            rank = i + 1, encoder_id = r.EncoderId, encoder = r.Encoder, family = r.Family, backbone = r.Backbone, fine_tuning = r.FineTuning,
            robust_model = r.IsRobustModel, clean = r.Clean, linf = r.Linf, l2 = r.L2, sanity_passed = r.SanityPassed, result_ids = r.ResultIds,
            linf_audit = Audit(r.LinfAudit), l2_audit = Audit(r.L2Audit),
            breakdown = r.Breakdown.ToDictionary(kv => kv.Key, kv => new { clean = kv.Value.Clean, linf = kv.Value.Linf, l2 = kv.Value.L2 }),
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

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string D(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    private static string Esc(string? s) => Api.CsvCell.Escape(s);

    /// <summary>"passed" / "warning" / "" (not audited).</summary>
    private static string AuditText(AuditBadge? a) => a == null ? "" : a.Passed ? "passed" : "warning";

    private static object? Audit(AuditBadge? a) => a == null ? null : new { passed = a.Passed, verdict = a.Verdict, best_known = a.WorstCase, result_id = a.ResultId };
}
