using System.Text.Json;
using Portal.Tests.Cli;
using Portal.Tests.Support;
using static Portal.Tests.TwoAfc.TwoAfcTestData;

namespace Portal.Tests.TwoAfc;

public class Eval2AfcCliTests
{
    [Fact]
    public void Profile_says_where_the_time_went_and_changes_no_number()
    {
        using var dir = new FixturePaths.TempDir();
        var data = Path.Combine(dir.Path, "nights");
        WriteNights(data, Enumerable.Range(0, 12).Select(i => new NightsRow($"{i}", i % 2, 6, "test", i < 5)));
        string[] Args(string json) => ["eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--split", "test",
            "--attack", "apgd", "--eps", "2/255", "--iters", "5", "--batch", "4", "--json", dir.File(json)];
        var plain = CliRunner.Run(Args("plain.json"));
        var profiled = CliRunner.Run([.. Args("profiled.json"), "--profile", "--threads", "1"]);
        Assert.True(plain.ExitCode == 0 && profiled.ExitCode == 0, plain.Stderr + profiled.Stderr);
        Assert.Equal(plain.Json.GetProperty("clean_accuracy").GetDouble(), profiled.Json.GetProperty("clean_accuracy").GetDouble());
        Assert.Equal(plain.Json.GetProperty("robust_accuracy").GetDouble(), profiled.Json.GetProperty("robust_accuracy").GetDouble());
        Assert.False(plain.Json.TryGetProperty("profile", out _));

        Assert.Contains("profile (", profiled.Stderr);
        var rows = profiled.Json.GetProperty("profile").EnumerateArray().ToDictionary(r => r.GetProperty("phase").GetString()!);
        foreach (var phase in new[] { "process start, runtime and JIT", "load checkpoint", "embed candidates (x0, x1)", "attack", "attack/forward", "attack/backward", "attack/other", "write result JSON" })
            Assert.True(rows.ContainsKey(phase), $"{phase} missing from {string.Join(", ", rows.Keys)}");
        Assert.Equal(3, rows["decode + resize images (prefetch, beside the rest)"].GetProperty("count").GetInt32());   // every batch, off the main thread
        // 3 batches + the ε = 0 check; one backward per forward (at most iterations + the start point per attack).
        Assert.Equal(4, rows["attack"].GetProperty("count").GetInt32());
        Assert.Equal(rows["attack/forward"].GetProperty("count").GetInt32(), rows["attack/backward"].GetProperty("count").GetInt32());
        Assert.InRange(rows["attack/forward"].GetProperty("count").GetInt32(), 4, 3 * (5 + 1) + (10 + 1));
        double Seconds(string name) => rows[name].GetProperty("seconds").GetDouble();
        Assert.Equal(Seconds("attack"), Seconds("attack/forward") + Seconds("attack/backward") + Seconds("attack/other"), 6);
        // Main-thread phases and "other" add up to the wall time (share 100 %).
        var share = rows.Values.Where(r => !r.GetProperty("phase").GetString()!.Contains('/') && !r.GetProperty("beside_main_thread").GetBoolean())
            .Sum(r => r.GetProperty("share_of_wall").GetDouble());
        Assert.Equal(1.0, share, 6);
    }

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
        Assert.Equal(4, j.GetProperty("batch_size").GetInt32());
        Assert.Equal("given (--batch 4)", j.GetProperty("batch_sizing").GetString());
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
        // A bf16 search needs an attack and weights to cast; both refusals say so.
        var noAttack = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--json", outPath, "--attack-precision", "bf16");
        Assert.Equal(2, noAttack.ExitCode);
        Assert.Contains("there is no attack", noAttack.Stderr);
        var noWeights = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--json", outPath, "--attack", "apgd", "--attack-precision", "bf16");
        Assert.Contains("needs an encoder checkpoint", noWeights.Stderr);
        Assert.Contains("must be float32 or bf16", CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--json", outPath, "--attack-precision", "fp8").Stderr);
        var badBatch = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", dir.Path, "--json", outPath, "--batch", "0");
        Assert.Equal(2, badBatch.ExitCode);
        Assert.Contains("--batch expects a positive integer or auto, got '0'", badBatch.Stderr);
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
