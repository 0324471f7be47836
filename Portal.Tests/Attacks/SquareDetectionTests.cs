using Portal.Engine.Detection;
using Portal.Engine.Metric;
using Portal.Engine.Retrieval;
using Portal.Tests.Retrieval;
using Portal.Tests.Support;
using Xunit.Abstractions;
using Portal.Engine.Attacks;

namespace Portal.Tests.Attacks;

/// <summary>
/// The Square Attack on the detection task's own objective: the targeted loss APGD maximises (mean cosine to the
/// target class's images, plus the classifier's margin for the classifier and combined detectors) and its success
/// notion — the detector's decision is the target class — at which a query stops being queried.
/// </summary>
public class SquareDetectionTests(ITestOutputHelper output)
{
    // Classes a few grey levels apart, so the attack's radius can carry a query across (a query of class c starts nearest c).
    private static readonly Dictionary<string, (double, double, double)> Colour = new()
    {
        ["safe"] = (0.53, 0.5, 0.47), ["buffer"] = (0.5, 0.53, 0.5), ["unsafe"] = (0.47, 0.5, 0.53),
    };

    internal static DetectionDataset MakeDataset(string root, int pool = 3, int queries = 5, int targets = 3)
    {
        int seed = 100;
        foreach (var (cls, c) in Colour)
        {
            for (int i = 0; i < pool; i++) RetrievalTestData.WritePng(Path.Combine(root, "pools", cls, $"p{i}.png"), c, seed++);
            for (int i = 0; i < queries; i++) RetrievalTestData.WritePng(Path.Combine(root, "queries", cls, $"q{i}.png"), c, seed++);
            if (cls != "buffer")
                for (int i = 0; i < targets; i++) RetrievalTestData.WritePng(Path.Combine(root, "targets", cls, $"t{i}.png"), c, seed++);
        }
        return DetectionDataset.Open(root, twoClass: true);
    }

    private static AttackConfig Square(string norm, double eps, int queries, int seed = 0) =>
        new() { Kind = "square", Norm = norm, Eps = eps, Iterations = 0, Queries = queries, Seed = seed, Perturbed = "query", Loss = "target-mean-cosine" };

    private static DetectionResult Run(IPerceptualModel model, UnsafeClassifier? clf, DetectionDataset ds, AttackConfig attack, int batch) =>
        DetectionTask.Run(new RetrievalEmbeddings(model, "tiny"), clf, ds, new DetectionOptions { Attack = attack, BatchSize = batch, ArtifactCount = 0, TargetCount = 3 },
            null, null, CancellationToken.None);

    [Theory]
    [InlineData("linf", 8.0 / 255)]
    [InlineData("l2", 1.0)]
    public void A_query_stops_being_queried_once_its_decision_is_the_target_and_stays_in_the_ball(string norm, double eps)
    {
        using var dir = new FixturePaths.TempDir();
        var ds = MakeDataset(dir.Path);
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 5, size: 16));
        using var clf = new UnsafeClassifier(new BlueLogitClassifier(), ClassifierOutput.Logit, 0);
        const int budget = 40;
        var r = Run(model, clf, ds, Square(norm, eps, budget), batch: 4);

        Assert.All(r.Sanity, s => Assert.True(s.Passed, s.Detail));
        var attacked = r.Records.Where(x => x.Target != null).ToList();
        Assert.NotEmpty(attacked);
        Assert.All(r.Records.Where(x => x.Target == null), x => Assert.Null(x.AttackQueries));
        foreach (var rec in attacked)
        {
            Assert.InRange(rec.PerturbationNorm!.Value, 0, eps + 1e-6);
            Assert.Equal(0, rec.RangeViolation);
            Assert.InRange(rec.AttackQueries!.Value, 1, budget + 1);
            // Not moved to the target: the search never stopped, so it spent the whole budget.
            if (rec.Assigned != rec.Target) Assert.Equal(budget + 1, rec.AttackQueries);
        }
        int movedEarly = 0;
        foreach (var det in r.Detectors)
            foreach (var a in det.Attacked)
            {
                var rs = attacked.Where(x => x.Detector == det.Detector && x.Target == a.Target && x.TrueClass == a.Source).ToList();
                var broken = rs.Where(x => x.Assigned == a.Target).ToList();
                var qs = a.QueryStats!;
                Assert.Equal((rs.Count, broken.Count, budget, rs.Sum(x => (long)x.AttackQueries!.Value)), (qs.Attacked, qs.Broken, qs.Budget, qs.TotalQueries));
                Assert.Equal(broken.Count / (double)rs.Count, a.SuccessRate, 12);
                if (broken.Count > 0) Assert.Equal(broken.Average(x => x.AttackQueries!.Value), qs.MeanQueriesBroken!.Value, 9);
                movedEarly += broken.Count(x => x.AttackQueries < budget + 1);
                output.WriteLine($"{norm} {det.Detector} {a.Source}->{a.Target}: {a.SuccessRate:P0} of {a.N}, mean queries {qs.MeanQueriesBroken}");
            }
        Assert.True(movedEarly > 0, "no query reached its target before the budget: the success flag was never used");
    }

    [Fact]
    public void A_seed_repeats_the_attack_and_the_batching_changes_no_decision_or_query_count()
    {
        using var dir = new FixturePaths.TempDir();
        var ds = MakeDataset(dir.Path);
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 6, size: 16));
        var attack = Square("linf", 6.0 / 255, 30);
        var whole = Run(model, null, ds, attack, batch: 5);
        var again = Run(model, null, ds, attack, batch: 5);
        var ones = Run(model, null, ds, attack, batch: 1);
        var other = Run(model, null, ds, attack with { Seed = 3 }, batch: 5);
        Assert.Equal(whole.Records.Select(x => x.Key), ones.Records.Select(x => x.Key));
        for (int i = 0; i < whole.Records.Count; i++)
        {
            var (a, b, c) = (whole.Records[i], again.Records[i], ones.Records[i]);
            Assert.Equal((a.Assigned, a.AttackQueries, a.NearestId, a.NearestSimilarity, a.PerturbationNorm), (b.Assigned, b.AttackQueries, b.NearestId, b.NearestSimilarity, b.PerturbationNorm));
            Assert.Equal((a.Assigned, a.AttackQueries), (c.Assigned, c.AttackQueries));
        }
        Assert.NotEqual(whole.Records.Where(x => x.Target != null).Select(x => x.NearestSimilarity),
            other.Records.Where(x => x.Target != null).Select(x => x.NearestSimilarity));
    }

    [Theory]
    [InlineData("linf", 8.0 / 255)]
    [InlineData("l2", 1.0)]
    public void Behind_a_masked_gradient_apgd_moves_few_queries_and_square_moves_many(string norm, double eps)
    {
        using var dir = new FixturePaths.TempDir();
        var ds = MakeDataset(dir.Path, queries: 8);
        using var model = new SquareTests.QuantisedModel(new EncoderMetric(new TinyConvEncoder(seed: 7, size: 16)));
        var apgdConfig = new AttackConfig { Kind = "apgd", Norm = norm, Eps = eps, Iterations = 20, Perturbed = "query", Loss = "target-mean-cosine" };
        var apgd = Run(model, null, ds, apgdConfig, batch: 8);
        var square = Run(model, null, ds, Square(norm, eps, 150), batch: 8);
        double Moved(DetectionResult r) => r.Detectors[0].Attacked.Average(a => a.SuccessRate);
        double Clean(DetectionResult r) => r.Detectors[0].Attacked.Average(a => r.Detectors[0].Clean.Single(c => c.TrueClass == a.Source).Assigned[a.Target]);
        output.WriteLine($"masked {norm} ε={eps:G4}: clean at target {Clean(apgd):P1}, APGD-20 moved {Moved(apgd):P1}, Square-150 moved {Moved(square):P1}");
        Assert.All(apgd.Sanity.Concat(square.Sanity), c => Assert.True(c.Passed, c.Detail));
        Assert.True(Moved(apgd) <= 0.3, $"APGD moved {Moved(apgd):P1}: the gradient is not masked");
        Assert.True(Moved(square) >= Moved(apgd) + 0.4, $"Square moved {Moved(square):P1} vs APGD's {Moved(apgd):P1}");
    }
}
