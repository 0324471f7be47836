using Portal.Engine.Checkpoints;
using Portal.Tests.Support;

namespace Portal.Tests.Cli;

public class InspectAndEmbedTests
{
    private static string Case(string name, string file) => Path.Combine(FixturePaths.Encoder(name), file);

    [Fact]
    public void Inspect_reports_architecture_hash_and_clean_key_report()
    {
        var ckpt = Case("openclip-convnext-mini", "model.safetensors");
        var r = CliRunner.Run("inspect", "--checkpoint", ckpt);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json;
        Assert.Contains("convnext", j.GetProperty("architecture").GetString());
        Assert.Equal(32, j.GetProperty("embedding_dim").GetInt32());
        Assert.Equal(FileHash.Sha256(ckpt), j.GetProperty("sha256").GetString());
        Assert.Equal(0, j.GetProperty("missing_keys").GetArrayLength());
        Assert.Equal(0, j.GetProperty("unexpected_keys").GetArrayLength());
        Assert.True(j.GetProperty("loadable_without_force").GetBoolean());
        Assert.Equal(3, j.GetProperty("preprocessing").GetProperty("mean").GetArrayLength());
    }

    [Theory]
    [InlineData("openclip-vit-b32-mini")]
    [InlineData("dino-vitb16-mini")]
    public void Embed_folder_as_is_matches_canonical_embeddings(string name)
    {
        using var dir = new FixturePaths.TempDir();
        var output = dir.File("e.safetensors");
        var r = CliRunner.Run("embed", "--checkpoint", Case(name, "model.safetensors"), "--input", Path.Combine(FixturePaths.Encoder(name), "inputs"), "--output", output, "--as-is", "--batch", "3");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var got = SafeTensors.Load(output);
        using var expected = SafeTensors.Load(Case(name, "expected.safetensors"));
        var e = expected["embeddings"];
        var err = (got["embeddings"] - e).abs().max().item<float>();
        Assert.True(err <= 1e-5f * e.abs().max().item<float>(), $"max abs error {err}");
        Assert.Contains("000.png", got.Metadata["files"]);
    }

    [Fact]
    public void Embed_reads_an_images_tensor_and_applies_the_model_recipe()
    {
        using var dir = new FixturePaths.TempDir();
        var images = TorchSharp.torch.rand(2, 3, 300, 260);
        SafeTensors.Save(dir.File("in.safetensors"), [new("images", images)]);
        var r = CliRunner.Run("embed", "--checkpoint", Case("openclip-vit-b16-mini", "model.safetensors"), "--input", dir.File("in.safetensors"), "--output", dir.File("out.safetensors"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var got = SafeTensors.Load(dir.File("out.safetensors"));
        Assert.Equal(new long[] { 2, 32 }, got["embeddings"].shape);
    }

    [Fact]
    public void Errors_are_one_line_with_nonzero_exit()
    {
        using var dir = new FixturePaths.TempDir();
        File.WriteAllBytes(dir.File("empty.bin"), []);
        var r = CliRunner.Run("inspect", "--checkpoint", dir.File("empty.bin"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("empty", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));

        var missing = CliRunner.Run("inspect", "--checkpoint", dir.File("nope.safetensors"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr);

        var typo = CliRunner.Run("inspect", "--checkpoint", dir.File("empty.bin"), "--frobnicate", "1");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("--frobnicate", typo.Stderr);
    }
}
