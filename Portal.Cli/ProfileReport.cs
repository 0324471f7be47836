using System.Diagnostics;
using System.Globalization;
using Portal.Engine.Runtime;

namespace Portal.Cli;

/// <summary>
/// `--profile`: the run's phases as a table on stderr and as rows for the JSON output. A phase named "a/b" is a part
/// of phase "a" (printed indented, with "a/other" for the rest of "a"); top-level phases plus "other" add up to the
/// wall time; phases that run beside the main thread (the image prefetch) are marked and not in the sum.
/// </summary>
public static class ProfileReport
{
    /// <summary>Time from the process's start to now: runtime start-up, JIT and argument parsing.</summary>
    public static double SinceProcessStart() => (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;

    public sealed record Row(string Phase, double Seconds, long Count, double ShareOfWall, bool BesideMainThread);

    public static IReadOnlyList<Row> Rows(Profile profile, double wallSeconds)
    {
        var phases = profile.Phases;
        var rows = new List<Row>();
        double top = 0;
        foreach (var p in phases.Where(p => !p.Name.Contains('/')))
        {
            bool beside = p.Name.EndsWith(Profile.BesideMarker, StringComparison.Ordinal);
            if (!beside) top += p.Seconds;
            rows.Add(new Row(p.Name, p.Seconds, p.Count, p.Seconds / wallSeconds, beside));
            var parts = phases.Where(q => q.Name.StartsWith(p.Name + "/", StringComparison.Ordinal)).ToList();
            foreach (var q in parts) rows.Add(new Row(q.Name, q.Seconds, q.Count, q.Seconds / wallSeconds, beside));
            if (parts.Count > 0)
            {
                var rest = Math.Max(0, p.Seconds - parts.Sum(q => q.Seconds));
                rows.Add(new Row(p.Name + "/other", rest, p.Count, rest / wallSeconds, beside));
            }
        }
        var other = Math.Max(0, wallSeconds - top);
        rows.Add(new Row("other (progress, bookkeeping)", other, 1, other / wallSeconds, false));
        return rows;
    }

    public static void Print(IReadOnlyList<Row> rows, double wallSeconds, TextWriter to)
    {
        var c = CultureInfo.InvariantCulture;
        to.WriteLine(string.Create(c, $"profile ({wallSeconds:F2} s wall, from process start):"));
        foreach (var r in rows)
        {
            var name = r.Phase.Contains('/') ? "    " + r.Phase[(r.Phase.IndexOf('/') + 1)..] : r.Phase;
            to.WriteLine(string.Create(c, $"  {name,-52} {r.Seconds,9:F3} s {r.ShareOfWall,7:P1} {r.Count,8}×"));
        }
    }
}
