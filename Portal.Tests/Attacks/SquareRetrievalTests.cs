using Portal.Engine.Attacks;
using Portal.Engine.Metric;
using Portal.Engine.Retrieval;
using Portal.Tests.Retrieval;
using Portal.Tests.Support;
using Xunit.Abstractions;

namespace Portal.Tests.Attacks;

/// <summary>
/// The Square Attack on the retrieval task's own objective (the untargeted embedding shift ‖φ̂(x+δ) − φ̂(x)‖², the loss
/// APGD maximises there). Retrieval has no per-query success, so every query is queried the whole budget.
/// </summary>
public class SquareRetrievalTests(ITestOutputHelper output)
{
    internal static AttackConfig Square(string norm, double eps, int queries, int seed = 0) =>
        new() { Kind = "square", Norm = norm, Eps = eps, Iterations = 0, Queries = queries, Seed = seed, Perturbed = "query", Loss = "embedding-l2" };

    internal static AttackConfig Apgd(string norm, double eps, int iterations) =>
        new() { Kind = "apgd", Norm = norm, Eps = eps, Iterations = iterations, Perturbed = "query", Loss = "embedding-l2" };

    private static RetrievalDataset Folder(string dir, int n)
    {
        for (int i = 0; i < n; i++)
            RetrievalTestData.WritePng(Path.Combine(dir, $"img{i:00}.png"), (i % 3 == 0 ? 0.8 : 0.2, i % 3 == 1 ? 0.8 : 0.2, i % 3 == 2 ? 0.8 : 0.2), i);
        return RetrievalDataset.Open(dir);
    }

    private static RetrievalResult Run(IPerceptualModel model, RetrievalDataset ds, AttackConfig attack, int batch, int limit = 6) =>
        RetrievalTask.Run(new RetrievalEmbeddings(model, "tiny"), ds, new RetrievalOptions { Attack = attack, Limit = limit, BatchSize = batch, ArtifactCount = 0 },
            null, null, CancellationToken.None);

    [Theory]
    [InlineData("linf", 8.0 / 255)]
    [InlineData("l2", 0.5)]
    public void Square_keeps_every_query_in_the_ball_and_the_box_and_spends_the_whole_budget_on_each(string norm, double eps)
    {
        using var dir = new FixturePaths.TempDir();
        var ds = Folder(dir.File("data"), 9);
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 3, size: 16));
        var r = Run(model, ds, Square(norm, eps, 40), batch: 4);

        Assert.All(r.Sanity, s => Assert.True(s.Passed, s.Detail));
        Assert.Equal(6, r.Queries.Count);
        foreach (var q in r.Queries)
        {
            Assert.InRange(q.PerturbationNorm!.Value, 1e-6, eps + 1e-6);
            Assert.Equal(0, q.RangeViolation);
            Assert.True(q.EmbeddingShift > 1e-5, $"{q.Id}: Square did not move the embedding");
            Assert.Equal(41, q.AttackQueries);   // no success notion: the initial point + every iteration
        }
        var qs = r.QueryStats!;
        Assert.Equal((6, 0, 40, 6L * 41), (qs.Attacked, qs.Broken, qs.Budget, qs.TotalQueries));
        Assert.Null(qs.MeanQueriesBroken);

        // An APGD run of the same task carries no query fields.
        var apgd = Run(model, ds, Apgd(norm, eps, 3), batch: 4);
        Assert.Null(apgd.QueryStats);
        Assert.All(apgd.Queries, q => Assert.Null(q.AttackQueries));
    }

    [Fact]
    public void A_seed_repeats_the_attack_and_the_batching_changes_no_query()
    {
        using var dir = new FixturePaths.TempDir();
        var ds = Folder(dir.File("data"), 9);
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 4, size: 16));
        var attack = Square("linf", 4.0 / 255, 25);
        var whole = Run(model, ds, attack, batch: 6);
        var again = Run(model, ds, attack, batch: 6);
        var ones = Run(model, ds, attack, batch: 1);
        var other = Run(model, ds, attack with { Seed = 1 }, batch: 6);
        for (int i = 0; i < whole.Queries.Count; i++)
        {
            var (a, b, c, d) = (whole.Queries[i], again.Queries[i], ones.Queries[i], other.Queries[i]);
            Assert.Equal(a.EmbeddingShift, b.EmbeddingShift);
            Assert.Equal(a.PerturbationNorm, b.PerturbationNorm);
            Assert.Equal(a.AdversarialTop!.Select(n => n.Id), b.AdversarialTop!.Select(n => n.Id));
            // Each query draws from its own stream: batches of one give it the same search (up to float32 noise of the batch).
            Assert.Equal(a.EmbeddingShift!.Value, c.EmbeddingShift!.Value, 4);
            Assert.Equal(a.AttackQueries, c.AttackQueries);
            Assert.NotEqual(a.EmbeddingShift, d.EmbeddingShift);
        }
    }

    [Theory]
    [InlineData("linf", 6.0 / 255)]
    [InlineData("l2", 0.5)]
    public void Behind_a_masked_gradient_apgd_barely_moves_the_embedding_and_square_does(string norm, double eps)
    {
        using var dir = new FixturePaths.TempDir();
        var ds = Folder(dir.File("data"), 9);
        using var model = new SquareTests.QuantisedModel(new EncoderMetric(new TinyConvEncoder(seed: 7, size: 16)));
        var apgd = Run(model, ds, Apgd(norm, eps, 20), batch: 6);
        var square = Run(model, ds, Square(norm, eps, 100), batch: 6);
        double a = apgd.MeanEmbeddingShift!.Value, s = square.MeanEmbeddingShift!.Value;
        output.WriteLine($"masked {norm} ε={eps:G4}: mean embedding shift APGD-20 {a:G4}, Square-100 {s:G4}; top-k overlap APGD {apgd.MeanTopKOverlap:F2}, Square {square.MeanTopKOverlap:F2}");
        Assert.All(apgd.Sanity.Concat(square.Sanity), c => Assert.True(c.Passed, c.Detail));
        // Zero gradient: APGD keeps its random start; Square's search finds a far larger shift of the same loss.
        Assert.True(s >= 3 * a, $"Square's embedding shift {s:G4} is not clearly above APGD's {a:G4}");
        for (int i = 0; i < square.Queries.Count; i++)
            Assert.True(square.Queries[i].EmbeddingShift > apgd.Queries[i].EmbeddingShift, square.Queries[i].Id);
    }
}
