using System.Text.Json;
using Portal.Engine.Datasets;
using Portal.Engine.Metric;
using Portal.Engine.TwoAfc;
using Portal.Tests.Cli;
using Portal.Tests.Support;
using static Portal.Tests.TwoAfc.TwoAfcTestData;
using Portal.Engine.Attacks;

namespace Portal.Tests.Attacks;

/// <summary>The Square Attack through the 2AFC task and `portal eval 2afc --attack square`.</summary>
public class SquareTwoAfcTests
{
    private static NightsRow[] Rows(int n) =>
        Enumerable.Range(0, n).Select(i => new NightsRow($"t{i:00}", i % 3 == 0 ? 1 : 0, 6, "test", i % 2 == 0)).ToArray();

    private const double Eps = 6.0 / 255;

    private static TwoAfcOptions Square(int batch) => new()
    {
        Attack = new AttackConfig { Kind = "square", Norm = "linf", Eps = Eps, Queries = 40, Seed = 3 },
        BatchSize = batch,
    };

    [Fact]
    public void The_task_reports_per_item_queries_and_their_statistics_independently_of_batching()
    {
        using var dir = new FixturePaths.TempDir();
        // Candidates are the reference plus noise, so margins are small enough for the attack to flip some.
        var rng = new Random(7);
        WriteNights(dir.Path, Rows(12), pixels: (_, _) =>
        {
            var r = RandomRgb(rng, 16);
            byte[] Near() => r.Select(v => (byte)Math.Clamp(v + rng.Next(-40, 41), 0, 255)).ToArray();
            return (r, Near(), Near());
        });
        var load = NightsReader.Load(dir.Path, "test");
        using var model = new PixelL2(16);
        var a = TwoAfcTask.Run(model, load, Square(4), null, null, CancellationToken.None);
        var b = TwoAfcTask.Run(model, load, Square(12), null, null, CancellationToken.None);
        Assert.Equal(a.Items.Select(i => (i.Id, i.RobustCorrect, i.Queries)), b.Items.Select(i => (i.Id, i.RobustCorrect, i.Queries)));
        Assert.All(a.Sanity, s => Assert.True(s.Passed, s.Name + ": " + s.Detail));
        Assert.Contains(a.Sanity, s => s.Name == "zero_eps_reproduces_clean" && s.Detail.Contains("Square 10 queries"));

        var stats = a.QueryStats!;
        var attacked = a.Items.Where(i => i.CleanCorrect).ToList();
        var broken = attacked.Where(i => i.RobustCorrect == false).ToList();
        Assert.NotEmpty(broken);
        Assert.Contains(attacked, i => i.RobustCorrect == true);   // mixed outcome
        Assert.Equal((attacked.Count, broken.Count, 40), (stats.Attacked, stats.Broken, stats.Budget));
        Assert.Equal(broken.Average(i => i.Queries!.Value), stats.MeanQueriesBroken!.Value, 12);
        Assert.Equal(broken.Max(i => i.Queries!.Value), stats.MaxQueriesBroken);
        Assert.All(a.Items.Where(i => !i.CleanCorrect), i => Assert.Equal(0, i.Queries));
        Assert.All(attacked.Where(i => i.RobustCorrect == true), i => Assert.Equal(41, i.Queries));
        Assert.All(attacked, i => Assert.InRange(i.PerturbationNorm!.Value, 0, Eps + 1e-6));
        Assert.Equal(attacked.Sum(i => (long)i.Queries!.Value), stats.TotalQueries);
    }

    [Fact]
    public void Eval_2afc_with_attack_square_writes_query_statistics_and_apgd_output_has_none()
    {
        using var dir = new FixturePaths.TempDir();
        WriteNights(Path.Combine(dir.Path, "nights"), Enumerable.Range(0, 8).Select(i => new NightsRow($"{i}", i % 2, 6, "test", i < 4)));
        var outPath = dir.File("sq.json");
        var r = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--attack", "square",
            "--norm", "linf", "--eps", "8/255", "--queries", "30", "--batch", "4", "--seed", "1", "--json", outPath);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(outPath)))
        {
            var j = doc.RootElement;
            var attack = j.GetProperty("attack");
            Assert.Equal("square", attack.GetProperty("kind").GetString());
            Assert.Equal(30, attack.GetProperty("queries").GetInt32());
            var stats = j.GetProperty("query_stats");
            Assert.Equal(30, stats.GetProperty("budget").GetInt32());
            var items = j.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(items.Count(i => i.GetProperty("clean_correct").GetBoolean()), stats.GetProperty("attacked").GetInt32());
            Assert.All(items, i => Assert.InRange(i.GetProperty("queries").GetInt32(), 0, 31));
            Assert.All(j.GetProperty("sanity").EnumerateArray(), s => Assert.True(s.GetProperty("passed").GetBoolean(), s.ToString()));
            Assert.InRange(j.GetProperty("robust_accuracy").GetDouble(), 0, j.GetProperty("clean_accuracy").GetDouble());
        }

        var apgdPath = dir.File("apgd.json");
        var p = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--attack", "apgd",
            "--eps", "8/255", "--iters", "3", "--batch", "4", "--json", apgdPath);
        Assert.True(p.ExitCode == 0, p.Stderr);
        Assert.False(p.Json.TryGetProperty("mean_queries_broken", out _));
        using var apgd = JsonDocument.Parse(File.ReadAllText(apgdPath));
        Assert.False(apgd.RootElement.TryGetProperty("query_stats", out _));
        Assert.False(apgd.RootElement.GetProperty("attack").TryGetProperty("queries", out _));
        Assert.All(apgd.RootElement.GetProperty("items").EnumerateArray(), i => Assert.False(i.TryGetProperty("queries", out _)));

        var bad = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--attack", "square", "--queries", "0", "--json", outPath);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--queries", bad.Stderr);
    }
}
