using Portal.Engine.Attacks;
using Portal.Engine.Audit;
using Portal.Engine.Datasets;
using Portal.Engine.Metric;
using Portal.Tests.Support;
using Xunit.Abstractions;
using static Portal.Tests.TwoAfc.TwoAfcTestData;
using Portal.Engine.TwoAfc;

namespace Portal.Tests.Attacks;

/// <summary>The attack audit (issue 16, item 2) on small models: curves, worst case, and a verdict that catches masking.</summary>
public sealed class AttackAuditTests(ITestOutputHelper output) : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    /// <summary>Triplets whose candidates are the reference plus noise, so some flip at small radii and all at large ones.</summary>
    private TwoAfcDatasetLoad Data(int n, int seed)
    {
        var rng = new Random(seed);
        var rows = Enumerable.Range(0, n).Select(i => new NightsRow($"t{i:00}", i % 3 == 0 ? 1 : 0, 6, "test", i % 2 == 0)).ToArray();
        WriteNights(_dir.Path, rows, pixels: (_, _) =>
        {
            var r = RandomRgb(rng, 16);
            byte[] Near() => r.Select(v => (byte)Math.Clamp(v + rng.Next(-40, 41), 0, 255)).ToArray();
            return (r, Near(), Near());
        });
        return NightsReader.Load(_dir.Path, "test");
    }

    private static AuditOptions Quick(double eps, double tolerance = 0.01) => new()
    {
        Norm = ThreatNorm.Linf, Eps = eps, Iterations = 10, Items = 16, Seed = 1, IterationSteps = [5, 10, 30], Restarts = 2,
        SquareQueries = 150, EpsMultipliers = [0, 1, 4, 16, 64], BatchSize = 8, Tolerance = tolerance,
    };

    private void Print(AuditReport r)
    {
        output.WriteLine($"clean {r.CleanAccuracy:P1} apgd {r.ApgdRobustAccuracy:P1} square {r.SquareRobustAccuracy:P1} worst {r.WorstCaseRobustAccuracy:P1} cost ×{r.CostRelativeToApgd:F1}");
        output.WriteLine("ε: " + string.Join(" ", r.EpsCurve.Select(p => $"{p.Setting * 255:0.#}/255→{p.RobustAccuracy:P0}")));
        output.WriteLine("it: " + string.Join(" ", r.IterationCurve.Select(p => $"{p.Setting}→{p.RobustAccuracy:P0}")));
        output.WriteLine(r.Verdict);
    }

    [Fact]
    public void On_a_smooth_model_the_curves_fall_the_worst_case_is_the_minimum_and_the_verdict_is_clean()
    {
        var load = Data(24, 7);
        using var model = new PixelL2(16);
        var r = AttackAudit.Run(model, load.Items, "tiny", Quick(0.5 / 255, tolerance: 0.1), null, CancellationToken.None);
        Print(r);
        Assert.Equal(16, r.N);
        Assert.Equal(16, r.ItemIds.Count);
        Assert.Equal(0, r.EpsCurve[0].Setting);
        Assert.Equal(r.CleanAccuracy, r.EpsCurve[0].RobustAccuracy);
        Assert.True(r.EpsCurve[^1].RobustAccuracy <= 0.02, "the ε curve stops at the first radius with ~0 robust accuracy");
        for (var i = 1; i < r.EpsCurve.Count; i++) Assert.True(r.EpsCurve[i].RobustAccuracy <= r.EpsCurve[i - 1].RobustAccuracy + 1e-9);
        Assert.Equal([5.0, 10.0, 30.0], r.IterationCurve.Select(p => p.Setting));
        Assert.Equal([1.0, 2.0], r.RestartCurve.Select(p => p.Setting));
        var atEps = r.IterationCurve.Select(p => p.RobustAccuracy).Append(r.RestartCurve[1].RobustAccuracy).Append(r.SquareRobustAccuracy);
        Assert.True(r.WorstCaseRobustAccuracy <= atEps.Min() + 1e-9, "the worst case per item is at most every single run");
        Assert.NotNull(r.SquareQueries);
        Assert.True(r.Passed, r.Verdict);
        Assert.Equal("no sign of gradient masking", r.Verdict);
        Assert.True(r.CostRelativeToApgd > 1);
    }

    [Fact]
    public void Behind_a_masked_gradient_apgd_looks_robust_and_the_audit_says_square_breaks_it()
    {
        var load = Data(24, 7);
        using var model = new SquareTests.QuantisedModel(new EncoderMetric(new TinyConvEncoder(seed: 7, size: 16)));
        var r = AttackAudit.Run(model, load.Items, "tiny", Quick(6.0 / 255) with { SquareQueries = 300 }, null, CancellationToken.None);
        Print(r);
        Assert.False(r.Passed);
        var square = Assert.Single(r.Checks, c => c.Name == AuditVerdict.SquareCheck);
        Assert.False(square.Passed);
        Assert.Contains("gradient is probably masked", square.Reason);
        Assert.StartsWith("warning: ", r.Verdict);
        Assert.True(r.WorstCaseRobustAccuracy <= r.SquareRobustAccuracy);
        Assert.True(r.ApgdRobustAccuracy - r.SquareRobustAccuracy > 0.2, "APGD sees a flat loss, Square does not");
    }

    [Fact]
    public void The_subset_depends_on_the_seed_and_the_ids_not_on_their_order_and_grows_by_inclusion()
    {
        var items = Data(30, 3).Items;
        var a = AttackAudit.Subset(items, 10, seed: 5).Select(i => i.Id).ToList();
        var b = AttackAudit.Subset(items.Reverse().ToList(), 10, seed: 5).Select(i => i.Id).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, AttackAudit.Subset(items, 10, seed: 6).Select(i => i.Id).ToList());
        Assert.Equal(a, AttackAudit.Subset(items, 20, seed: 5).Select(i => i.Id).Take(10).ToList());
        Assert.Equal(30, AttackAudit.Subset(items, 500, seed: 5).Count); // all items when there are fewer
    }

    [Fact]
    public void The_verdict_names_each_failed_check_with_its_numbers()
    {
        var o = new AuditOptions { Eps = 4.0 / 255, Iterations = 100 };
        var checks = AuditVerdict.Checks(o,
            eps: [new(0, 0.9, 0), new(4.0 / 255, 0.6, 1), new(64.0 / 255, 0.35, 1)],
            iterations: [new(10, 0.65, 1), new(100, 0.6, 1), new(500, 0.5, 1)],
            restarts: [new(1, 0.6, 1), new(5, 0.55, 1)], apgd: 0.6, square: 0.595);
        Assert.Contains("still 35 %", checks.Single(c => c.Name == AuditVerdict.EpsCheck).Reason);
        Assert.Contains("500 iterations lower robust accuracy by 10 points below 100", checks.Single(c => c.Name == AuditVerdict.IterationCheck).Reason);
        Assert.Contains("5 restarts lower robust accuracy by 5 points", checks.Single(c => c.Name == AuditVerdict.RestartCheck).Reason);
        Assert.True(checks.Single(c => c.Name == AuditVerdict.SquareCheck).Passed);
    }

    [Fact]
    public void Portal_eval_audit_writes_the_report_and_says_the_verdict()
    {
        Data(12, 5);
        var json = Path.Combine(_dir.Path, "out", "audit.json");
        var r = Cli.CliRunner.Run("eval", "audit", "--checkpoint", "builtin:pixel-l2", "--dataset", _dir.Path, "--eps", "0.5/255", "--iters", "5",
            "--items", "8", "--queries", "30", "--restarts", "2", "--batch", "8", "--quiet", "--json", json);
        Assert.True(r.ExitCode is 0 or 4, r.Stderr + r.Stdout);
        var summary = r.Json;
        Assert.Equal(8, summary.GetProperty("n").GetInt32());
        Assert.Equal(r.ExitCode == 0, summary.GetProperty("passed").GetBoolean());
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var report = doc.RootElement.GetProperty("report");
        Assert.Equal(8, report.GetProperty("item_ids").GetArrayLength());
        Assert.Equal(4, report.GetProperty("checks").GetArrayLength());
        Assert.True(report.GetProperty("eps_curve").GetArrayLength() >= 2);
    }

    public void Dispose() => _dir.Dispose();
}
