using System.Globalization;
using System.Text.Json;
using Portal.Data.Entities;

namespace Portal.Web.Features.Audit;

/// <summary>
/// What the encoder page shows of one audit result, read from its stored report (the engine's JSON; the web does not
/// reference the engine): verdict, checks, the curves and the cost.
/// </summary>
public sealed record AuditView(ResultRecord Result, bool Passed, string Verdict, IReadOnlyList<(string Name, bool Passed, string Reason)> Checks,
    IReadOnlyList<AuditCurve.Point> EpsCurve, IReadOnlyList<AuditCurve.Point> IterationCurve, double? Apgd, double? Square, double WorstCase, double? CostRelative)
{
    public static bool IsAudit(ResultRecord r) => r.Config.Attack == "audit";

    public string Threat => Result.Config.Norm == "linf" ? $"L∞ ε = {Result.Config.Eps * 255:0.##}/255" : $"L2 ε = {Result.Config.Eps:0.##}";

    public static AuditView? Read(ResultRecord r)
    {
        try
        {
            using var doc = JsonDocument.Parse(r.FullJson);
            var root = doc.RootElement;
            static double D(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
            List<AuditCurve.Point> Curve(string name, Func<double, string> label, Func<double, double> x) =>
                root.TryGetProperty(name, out var c) && c.ValueKind == JsonValueKind.Array
                    ? c.EnumerateArray().Select(p => new AuditCurve.Point(x(D(p, "setting")), 100 * D(p, "robust_accuracy"), label(D(p, "setting")))).ToList()
                    : [];
            var linf = r.Config.Norm == "linf";
            var checks = root.TryGetProperty("checks", out var cs) && cs.ValueKind == JsonValueKind.Array
                ? cs.EnumerateArray().Select(c => (c.GetProperty("name").GetString() ?? "", c.GetProperty("passed").GetBoolean(), c.GetProperty("reason").GetString() ?? "")).ToList()
                : [];
            var cost = D(root, "cost_relative_to_apgd");
            return new AuditView(r,
                root.TryGetProperty("passed", out var p) && p.ValueKind == JsonValueKind.True,
                root.TryGetProperty("verdict", out var v) ? v.GetString() ?? "" : "",
                checks,
                Curve("eps_curve", s => linf ? string.Create(CultureInfo.InvariantCulture, $"{s * 255:0.##}/255") : s.ToString("0.##", CultureInfo.InvariantCulture), s => linf ? Math.Round(s * 255, 3) : s),
                Curve("iteration_curve", s => $"{s:0} iterations", s => s),
                D(root, "apgd_robust_accuracy"), D(root, "square_robust_accuracy"), r.RobustValue ?? double.NaN, double.IsFinite(cost) ? cost : null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException) { return null; }
    }
}
