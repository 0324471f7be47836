using System.Text.Json;
using Portal.Tests.Cli;
using Portal.Tests.Retrieval;
using Portal.Tests.Support;

namespace Portal.Tests.Attacks;

/// <summary>`portal eval retrieval|detection --attack square --queries N` as real processes: per-query queries and statistics in the JSON.</summary>
public class SquareTaskCliTests
{
    private static readonly string Checkpoint = Path.Combine(FixturePaths.Encoder("openclip-vit-b32-mini"), "model.safetensors");

    [Fact]
    public void Eval_retrieval_with_attack_square_writes_queries_per_query_and_apgd_output_has_none()
    {
        using var dir = new FixturePaths.TempDir();
        for (int i = 0; i < 4; i++) RetrievalTestData.WritePng(dir.File($"data/img{i}.png"), (0.2 * i, 0.5, 0.3), i);
        var r = CliRunner.Run("eval", "retrieval", "--checkpoint", Checkpoint, "--dataset", dir.File("data"), "--attack", "square", "--queries", "12",
            "--eps", "4/255", "--json", dir.File("sq.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Square: 52 model queries over 4 attacked queries", r.Stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(dir.File("sq.json"))))
        {
            var res = doc.RootElement.GetProperty("result");
            Assert.Equal("square", res.GetProperty("attack").GetProperty("kind").GetString());
            Assert.Equal(12, res.GetProperty("attack").GetProperty("queries").GetInt32());
            var qs = res.GetProperty("query_stats");
            Assert.Equal(4, qs.GetProperty("attacked").GetInt32());
            Assert.Equal(0, qs.GetProperty("broken").GetInt32());
            Assert.Equal(52, qs.GetProperty("total_queries").GetInt64());
            foreach (var q in res.GetProperty("queries").EnumerateArray())
            {
                Assert.Equal(13, q.GetProperty("attack_queries").GetInt32());
                Assert.InRange(q.GetProperty("perturbation_norm").GetDouble(), 1e-6, 4.0 / 255 + 1e-6);
            }
            Assert.All(res.GetProperty("sanity").EnumerateArray(), s => Assert.True(s.GetProperty("passed").GetBoolean()));
        }

        var apgd = CliRunner.Run("eval", "retrieval", "--checkpoint", Checkpoint, "--dataset", dir.File("data"), "--attack", "apgd", "--iters", "2",
            "--json", dir.File("apgd.json"), "--quiet");
        Assert.True(apgd.ExitCode == 0, apgd.Stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(dir.File("apgd.json"))))
        {
            var res = doc.RootElement.GetProperty("result");
            Assert.False(res.TryGetProperty("query_stats", out _));
            Assert.False(res.GetProperty("attack").TryGetProperty("queries", out _));
            Assert.All(res.GetProperty("queries").EnumerateArray(), q => Assert.False(q.TryGetProperty("attack_queries", out _)));
        }

        var bad = CliRunner.Run("eval", "retrieval", "--checkpoint", Checkpoint, "--dataset", dir.File("data"), "--attack", "square", "--queries", "0", "--json", dir.File("x.json"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--queries", bad.Stderr);
    }

    [Fact]
    public void Eval_detection_with_attack_square_writes_queries_per_attacked_query_and_per_direction()
    {
        using var dir = new FixturePaths.TempDir();
        SquareDetectionTests.MakeDataset(dir.File("data"), pool: 2, queries: 2, targets: 2);
        var r = CliRunner.Run("eval", "detection", "--checkpoint", Checkpoint, "--dataset", dir.File("data"), "--two-class", "--attack", "square",
            "--queries", "15", "--targets", "2", "--json", dir.File("det.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("det.json")));
        var res = doc.RootElement.GetProperty("result");
        Assert.Equal(15, res.GetProperty("attack").GetProperty("queries").GetInt32());
        var records = res.GetProperty("records").EnumerateArray().ToList();
        var attacked = records.Where(x => x.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.String).ToList();
        Assert.Equal(4, attacked.Count);   // 2 queries in each of the two directions, retrieval detector
        foreach (var x in attacked)
        {
            int q = x.GetProperty("attack_queries").GetInt32();
            Assert.InRange(q, 1, 16);
            if (x.GetProperty("assigned").GetString() != x.GetProperty("target").GetString()) Assert.Equal(16, q);
        }
        Assert.All(records.Except(attacked), x => Assert.False(x.TryGetProperty("attack_queries", out _)));
        var directions = res.GetProperty("detectors")[0].GetProperty("attacked").EnumerateArray().ToList();
        Assert.Equal(2, directions.Count);
        foreach (var d in directions)
        {
            var qs = d.GetProperty("query_stats");
            Assert.Equal(2, qs.GetProperty("attacked").GetInt32());
            Assert.Equal(d.GetProperty("success_rate").GetDouble() * 2, qs.GetProperty("broken").GetInt32(), 9);
        }
        Assert.Equal(attacked.Sum(x => x.GetProperty("attack_queries").GetInt32()), directions.Sum(d => d.GetProperty("query_stats").GetProperty("total_queries").GetInt64()));
    }
}
