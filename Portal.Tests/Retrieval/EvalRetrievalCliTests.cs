using Portal.Tests.Cli;
using Portal.Tests.Support;

namespace Portal.Tests.Retrieval;

/// <summary>The real `portal eval retrieval` / `eval detection` processes: JSON out, clear errors for bad input.</summary>
public class EvalRetrievalCliTests
{
    [Fact]
    public void Retrieval_and_detection_commands_write_json_and_refuse_bad_layouts()
    {
        using var dir = new FixturePaths.TempDir();
        for (int i = 0; i < 4; i++) RetrievalTestData.WritePng(dir.File($"data/img{i}.png"), (0.2 * i, 0.5, 0.3), i);
        var ckpt = Path.Combine(FixturePaths.Encoder("openclip-vit-b32-mini"), "model.safetensors");
        var r = CliRunner.Run("eval", "retrieval", "--checkpoint", ckpt, "--dataset", dir.File("data"), "--attack", "apgd", "--iters", "3",
            "--json", dir.File("out.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("out.json")));
        var res = doc.RootElement.GetProperty("result");
        Assert.Equal(4, res.GetProperty("n_queries").GetInt32());
        Assert.Equal(3, res.GetProperty("queries")[0].GetProperty("adversarial_top").GetArrayLength());

        var bad = CliRunner.Run("eval", "detection", "--checkpoint", ckpt, "--dataset", dir.File("data"), "--json", dir.File("d.json"));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("pools", bad.Stderr);
    }
}
