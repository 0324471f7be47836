using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Portal.Engine.Attacks;
using Portal.Engine.Metric;
using Portal.Engine.Progress;
using Portal.Engine.TwoAfc;

namespace Portal.Engine.Audit;

/// <summary>
/// Is the attack behind a robust 2AFC number strong enough? Runs, on one seeded subset, the three checks of the paper's
/// appendix B-A — robust accuracy against ε up to a radius where it must reach ~0 (Figure 7), against APGD iterations
/// (Figure 8), and the black-box Square Attack against the white-box APGD (gradient masking) — plus 1 vs 5 restarts, and
/// takes the worst case per item over every run at the audited ε (RobustBench's "best known" number). Each run is an
/// ordinary <see cref="TwoAfcTask"/> run, so every run has its own sanity checks and per-item seeds.
/// </summary>
public static class AttackAudit
{
    public static AuditReport Run(IPerceptualModel model, IReadOnlyList<TwoAfcItem> items, string benchmark, AuditOptions options,
        IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var subset = Subset(items, options.Items, options.Seed);
        var norm = options.Norm == ThreatNorm.Linf ? "linf" : "l2";

        var sanity = new List<SanityCheck>();
        TwoAfcResult Attack(string what, AttackConfig attack)
        {
            var r = Run(what, attack);
            // Each run's own checks (ε = 0 reproduces clean, perturbation in the ball…), named by the run.
            sanity.AddRange(r.Sanity.Select(s => s with { Name = $"{what}: {s.Name}" }));
            return r;
        }
        TwoAfcResult Run(string what, AttackConfig attack)
        {
            return TwoAfcTask.Run(model, subset, benchmark, new TwoAfcOptions { Attack = attack, BatchSize = options.BatchSize }, null,
                progress == null ? null : new SyncProgress(p => progress.Report(p with { Phase = $"audit: {what} · {p.Phase}" })), ct);
        }
        AttackConfig Apgd(double eps, int iterations, int restarts) =>
            new() { Kind = "apgd", Norm = norm, Eps = eps, Iterations = iterations, Restarts = restarts, Seed = options.Seed };

        var atEps = new List<TwoAfcResult>(); // every run at the audited ε: the worst case is taken over these
        var baseRun = Attack($"APGD {options.Iterations} iterations", Apgd(options.Eps, options.Iterations, 1));
        atEps.Add(baseRun);
        double clean = baseRun.CleanAccuracy, apgd = baseRun.RobustAccuracy ?? clean;

        // (a) ε curve, stopping once robust accuracy is (about) zero.
        var epsCurve = new List<AuditPoint>();
        foreach (var m in options.EpsMultipliers.Distinct().Order())
        {
            var eps = options.Eps * m;
            var point = m == 0 ? new AuditPoint(0, clean, 0) // no perturbation: robust is clean accuracy
                : m == 1 ? Point(eps, baseRun)
                : Point(eps, Attack($"ε {Describe(options.Norm, eps)}", Apgd(eps, options.Iterations, 1)));
            epsCurve.Add(point);
            if (point.RobustAccuracy <= options.ZeroRobustAccuracy) break;
        }

        // (b) iterations, (c) restarts, (d) Square, all at the audited ε.
        var iterationCurve = new List<AuditPoint>();
        foreach (var it in options.IterationSteps.Distinct().Order())
        {
            var run = it == options.Iterations ? baseRun : Attack($"APGD {it} iterations", Apgd(options.Eps, it, 1));
            if (!ReferenceEquals(run, baseRun)) atEps.Add(run);
            iterationCurve.Add(Point(it, run));
        }
        var restartCurve = new List<AuditPoint> { Point(1, baseRun) };
        if (options.Restarts > 1)
        {
            var run = Attack($"APGD {options.Restarts} restarts", Apgd(options.Eps, options.Iterations, options.Restarts));
            atEps.Add(run);
            restartCurve.Add(Point(options.Restarts, run));
        }
        var square = Attack($"Square {options.SquareQueries} queries",
            new AttackConfig { Kind = "square", Norm = norm, Eps = options.Eps, Queries = options.SquareQueries, Restarts = 1, Seed = options.Seed });
        atEps.Add(square);
        var squareAcc = square.RobustAccuracy ?? clean;

        // (e) worst case per item: robust only if no run at the audited ε fooled it.
        var fooled = atEps.SelectMany(r => r.Items).Where(i => i.RobustCorrect != true).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var worst = subset.Count == 0 ? 0 : baseRun.Items.Count(i => i.CleanCorrect && !fooled.Contains(i.Id)) / (double)baseRun.Items.Count;

        var checks = AuditVerdict.Checks(options, epsCurve, iterationCurve, restartCurve, apgd, squareAcc);
        var total = clock.Elapsed.TotalSeconds;
        return new AuditReport
        {
            Benchmark = benchmark, Options = options, N = baseRun.N, CleanAccuracy = clean, ApgdRobustAccuracy = apgd,
            EpsCurve = epsCurve, IterationCurve = iterationCurve, RestartCurve = restartCurve,
            SquareRobustAccuracy = squareAcc, SquareQueries = square.QueryStats, WorstCaseRobustAccuracy = worst, Checks = checks,
            Sanity = sanity, WallSeconds = total, CostRelativeToApgd = baseRun.WallSeconds > 0 ? total / baseRun.WallSeconds : double.NaN,
            ItemIds = subset.Select(i => i.Id).ToList(), EngineVersion = EngineInfo.Version, Device = model.Device.ToString(),
        };
    }

    /// <summary>
    /// The audit's items: ordered by a hash of (seed, id), so the subset depends on the seed and the ids only — not on the
    /// order a reader returns them in — and a larger subset contains a smaller one.
    /// </summary>
    public static List<TwoAfcItem> Subset(IReadOnlyList<TwoAfcItem> items, int count, int seed) =>
        items.OrderBy(i => Key(seed, i.Id), StringComparer.Ordinal).ThenBy(i => i.Id, StringComparer.Ordinal).Take(count).ToList();

    private static string Key(int seed, string id) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{id}")));

    private static AuditPoint Point(double setting, TwoAfcResult r) => new(setting, r.RobustAccuracy ?? r.CleanAccuracy, r.WallSeconds);

    public static string Describe(ThreatNorm norm, double eps) => norm == ThreatNorm.Linf ? $"{eps * 255:0.##}/255" : $"{eps:0.###}";

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SyncProgress(Action<EvaluationProgress> report) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => report(value);
    }
}
