using Portal.Data.Entities;
using Portal.Web.Features.Jobs;

namespace Portal.Web.Features.Submit;

/// <summary>
/// Which presets the submit form offers for the chosen benchmarks, and which of the ticked ones each benchmark gets:
/// every benchmark runs only its own task's presets (<see cref="Presets.ForKind"/>), so ticking L∞ 4/255 with a
/// detection benchmark chosen never queues a 4/255 detection run.
/// </summary>
public static class PresetChoices
{
    /// <summary>A preset on offer, with the task kinds (of the chosen benchmarks) it applies to.</summary>
    public sealed record Offer(string Preset, IReadOnlyList<TaskKind> Kinds)
    {
        public string Label(bool mixedKinds) => Presets.Describe(Preset) + (mixedKinds ? $" — {string.Join(", ", Kinds.Select(KindName))}" : "");
    }

    /// <summary>The default ticks: clean, each task's paper attack, and a demo board's own threat model (offered on demo benchmarks only).</summary>
    public static readonly string[] Defaults = [Presets.Clean, Presets.Linf4, Presets.Linf8, Presets.DemoLinf1];

    public static IReadOnlyList<Offer> Offered(IEnumerable<BenchmarkRecord> chosen)
    {
        var list = chosen.ToList();
        return Presets.Known
            .Select(p => new Offer(p, list.Where(b => Presets.ForBenchmark(b).Contains(p)).Select(b => b.TaskKind).Distinct().ToList()))
            .Where(o => o.Kinds.Count > 0).ToList();
    }

    public static bool MixedKinds(IEnumerable<BenchmarkRecord> chosen) => chosen.Select(b => b.TaskKind).Distinct().Count() > 1;

    /// <summary>The ticked presets that belong to this benchmark's task, in the task's order.</summary>
    public static string[] For(BenchmarkRecord bench, IReadOnlySet<string> ticked) => Presets.ForBenchmark(bench).Where(ticked.Contains).ToArray();

    public static string KindName(TaskKind kind) => kind switch { TaskKind.TwoAfc => "2AFC", var k => k.Key() };
}
