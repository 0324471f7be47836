using System.Text.Json;
using Portal.Tests.Cli;
using Portal.Tests.Support;
using static Portal.Tests.TwoAfc.TwoAfcTestData;

namespace Portal.Tests.TwoAfc;

public class Eval2AfcCliTests
{
    [Fact]
    public void Eval_2afc_without_a_split_evaluates_a_procedural_folder_and_says_so()
    {
        using var dir = new FixturePaths.TempDir();
        var data = Path.Combine(dir.Path, "portal-2afc");
        Portal.Engine.Demo.DemoTwoAfcGenerator.EnsureGenerated(data, new(6, 16, 2));
        var outPath = dir.File("out.json");
        var r = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", data, "--batch", "3", "--json", outPath);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(6, r.Json.GetProperty("n").GetInt32());
        Assert.Contains("--split procedural", r.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(outPath));
        Assert.Equal(["procedural"], doc.RootElement.GetProperty("splits").EnumerateObject().Select(p => p.Name));
        // Asked for NIGHTS' test split by name, the folder has none: nothing is silently substituted.
        var named = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", data, "--split", "test", "--json", dir.File("named.json"));
        Assert.DoesNotContain("--split procedural", named.Stderr);
        Assert.False(named.ExitCode == 0 && named.Json.GetProperty("n").GetInt32() > 0, named.Stdout);
    }

    [Fact]
    public void Eval_2afc_writes_the_documented_json_for_nights_with_apgd()
    {
        using var dir = new FixturePaths.TempDir();
        var data = Path.Combine(dir.Path, "nights");
        WriteNights(data, Enumerable.Range(0, 10).Select(i => new NightsRow($"{i}", i % 2, 6, "test", i < 5)));
        var outPath = dir.File("out.json");
        var r = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--split", "test",
            "--attack", "apgd", "--norm", "linf", "--eps", "8/255", "--iters", "5", "--limit", "8", "--batch", "4", "--seed", "1", "--json", outPath);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(8, r.Json.GetProperty("n").GetInt32());
        using var doc = JsonDocument.Parse(File.ReadAllText(outPath));
        var j = doc.RootElement;
        Assert.Equal(8, j.GetProperty("n").GetInt32());
        var clean = j.GetProperty("clean_accuracy").GetDouble();
        var robust = j.GetProperty("robust_accuracy").GetDouble();
        Assert.InRange(robust, 0, clean);
        Assert.Equal(["test_imagenet", "test_no_imagenet"], j.GetProperty("splits").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(5, j.GetProperty("splits").GetProperty("test_imagenet").GetProperty("n").GetInt32());
        var attack = j.GetProperty("attack");
        Assert.Equal("apgd", attack.GetProperty("kind").GetString());
        Assert.Equal(8.0 / 255, attack.GetProperty("eps").GetDouble(), 12);
        Assert.Equal(5, attack.GetProperty("iterations").GetInt32());
        Assert.All(j.GetProperty("sanity").EnumerateArray(), s => Assert.True(s.GetProperty("passed").GetBoolean(), s.ToString()));
        Assert.False(string.IsNullOrEmpty(j.GetProperty("engine_version").GetString()));
        Assert.Equal("cpu", j.GetProperty("device").GetString());
        Assert.True(j.GetProperty("wall_seconds").GetDouble() > 0);
        var items = j.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(8, items.Count);
        foreach (var name in new[] { "id", "split", "label", "clean_correct", "robust_correct", "margin" })
            Assert.True(items[0].TryGetProperty(name, out _), name);
        Assert.Equal(clean, items.Average(i => i.GetProperty("clean_correct").GetBoolean() ? 1.0 : 0.0), 12);
        Assert.False(File.Exists(outPath + ".items.jsonl"));
        Assert.Contains("[done] 8/8", r.Stderr);
    }

    [Fact]
    public void Eval_2afc_bapps_reports_lpips_score_and_errors_are_one_line()
    {
        using var dir = new FixturePaths.TempDir();
        WriteBapps(dir.Path, "deblur", [0.2, 0.8, 0.6]);
        var outPath = dir.File("b.json");
        var r = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--json", outPath);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(outPath));
        Assert.Equal("bapps", doc.RootElement.GetProperty("format").GetString());
        Assert.True(doc.RootElement.GetProperty("splits").GetProperty("deblur").TryGetProperty("lpips_score", out _));
        Assert.False(doc.RootElement.TryGetProperty("robust_accuracy", out _));

        var bad = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--json", outPath, "--norm", "l3");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--norm", bad.Stderr);
        var missing = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.File("nowhere"), "--json", outPath);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("neither a NIGHTS folder", missing.Stderr);
    }

    [Fact]
    public void Eval_2afc_runs_a_real_checkpoint_through_the_encoder_loader()
    {
        using var dir = new FixturePaths.TempDir();
        WriteNights(dir.Path, Enumerable.Range(0, 4).Select(i => new NightsRow($"{i}", i % 2, 6, "val", false)), size: 40);
        var outPath = dir.File("c.json");
        var ckpt = Path.Combine(FixturePaths.Encoder("openclip-convnext-mini"), "model.safetensors");
        var r = CliRunner.Run("eval", "2afc", "--checkpoint", ckpt, "--dataset", dir.Path, "--split", "val",
            "--attack", "apgd", "--norm", "l2", "--eps", "0.5", "--iters", "3", "--batch", "2", "--json", outPath);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(outPath));
        var j = doc.RootElement;
        Assert.Equal(4, j.GetProperty("n").GetInt32());
        Assert.Equal("l2", j.GetProperty("attack").GetProperty("norm").GetString());
        Assert.All(j.GetProperty("sanity").EnumerateArray(), s => Assert.True(s.GetProperty("passed").GetBoolean(), s.ToString()));
        Assert.All(j.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("clean_correct").GetBoolean()),
            i => Assert.InRange(i.GetProperty("perturbation_norm").GetDouble(), 1e-6, 0.5 + 1e-6));
    }
}
