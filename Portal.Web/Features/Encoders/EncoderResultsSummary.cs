using System.Globalization;
using Portal.Data.Entities;
using Portal.Web.Features.Benchmarks;

namespace Portal.Web.Features.Encoders;

/// <summary>One line of the encoder page's results table: one result, its metric named, clean and robust side by side.</summary>
/// <param name="Setting">"none (clean)", "L∞ 4/255 · APGD 100 it · 1 restart", "Square L∞ 4/255 · 5000 queries", or an inversion's protocol.</param>
public sealed record EncoderResultLine(int ResultId, int BenchmarkId, string Benchmark, bool IsDemo, string Metric, ResultMetric Format,
    double? Clean, double? Robust, string Setting, int N, int? Limit, DateTime Date);

/// <summary>
/// The compact table at the top of an encoder page, before the cards: one line per result (audits are checks of a robust
/// number and keep their cards), by benchmark, clean before attacked.
/// </summary>
public static class EncoderResultsSummary
{
    public static List<EncoderResultLine> Lines(IEnumerable<ResultRecord> results) => results
        .Where(r => !Audit.AuditView.IsAudit(r) && r.Dataset?.TaskKind != TaskKind.Fare)
        .OrderBy(r => r.Dataset?.Name, StringComparer.Ordinal).ThenBy(r => r.Config.IsAttack ? 1 : 0)
        .ThenBy(r => r.Config.Norm).ThenBy(r => r.Config.Eps).ThenByDescending(r => r.CreatedAt)
        .Select(r =>
        {
            var metric = ResultMetric.For(r);
            return new EncoderResultLine(r.Id, r.DatasetId, r.Dataset?.Name ?? $"benchmark {r.DatasetId}", r.Dataset?.IsDemo == true,
                metric.Name, metric, metric.Clean != null ? r.CleanValue : null, metric.Robust != null && r.Config.IsAttack ? r.RobustValue : null,
                Setting(r), r.N, r.Config.Limit, r.CreatedAt);
        }).ToList();

    /// <summary>The threat model with its budget, in words a reader of the paper recognises.</summary>
    public static string Setting(ResultRecord r)
    {
        var c = r.Config;
        string Eps() => c.Norm == "linf" ? string.Create(CultureInfo.InvariantCulture, $"L∞ {c.Eps * 255:0.##}/255") : string.Create(CultureInfo.InvariantCulture, $"L2 {c.Eps:0.##}");
        if (r.Dataset?.TaskKind.IsGallery() == true)
            return string.Create(CultureInfo.InvariantCulture, $"inversion · L2 radius {c.Eps:0.##} · APGD {c.Iterations} it");
        if (!c.IsAttack) return "none (clean)";
        if (c.Attack == "square") return $"Square {Eps()} · {c.Queries} queries";
        return $"{Eps()} · APGD {c.Iterations} it · {c.Restarts} restart{(c.Restarts == 1 ? "" : "s")}";
    }
}
