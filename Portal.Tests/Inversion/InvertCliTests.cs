using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Portal.Engine.Images;
using Portal.Engine.Inversion;
using Portal.Tests.Cli;
using Portal.Tests.Support;

namespace Portal.Tests.Inversion;

/// <summary>The `portal invert …` commands on the mini fixtures with a few iterations: files, index and table as documented.</summary>
public class InvertCliTests
{
    private static string Model(string c) => Path.Combine(FixturePaths.Encoder(c), "model.safetensors");

    private static string TwoImages(FixturePaths.TempDir dir)
    {
        var folder = Directory.CreateDirectory(dir.File("images")).FullName;
        foreach (var f in new[] { "000.png", "001.png" })
            File.Copy(Path.Combine(FixturePaths.Encoder("openclip-vit-b32-mini"), "inputs", f), Path.Combine(folder, "ref " + f));
        return folder;
    }

    [Fact]
    public void Features_writes_targets_reconstructions_and_index()
    {
        using var dir = new FixturePaths.TempDir();
        var output = dir.File("out");
        var r = CliRunner.Run("invert", "features", "--checkpoint", Model("openclip-vit-b32-mini"), "--images", TwoImages(dir),
            "--seeds", "2", "--iters", "6", "--out", output, "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(4, r.Json.GetProperty("runs").GetInt32());
        var index = InversionIndex.Read(Path.Combine(output, "index.json"));
        Assert.Equal("features", index.Kind);
        Assert.Equal(("model", 224, 224), (index.Encoder.Name, index.Encoder.ImageHeight, index.Encoder.ImageWidth));
        Assert.Equal((100.0, 6, 200.0), (index.Settings.Radius, index.Settings.Iterations, index.Settings.InitialStep));
        Assert.Equal([0, 1], index.Settings.Seeds);
        Assert.Equal(["ref_000", "ref_001"], index.Targets.Select(t => t.Id));
        Assert.Equal("ref 000.png", index.Targets[0].Source);
        Assert.Equal(4, index.Results.Count);
        foreach (var e in index.Results)
        {
            // APGD keeps its best point, which may still be the start after only a few iterations of the paper's huge step.
            Assert.True(e.FinalCosine >= e.StartCosine, $"{e.Target} seed {e.Seed}");
            Assert.True(e.DeltaL2 <= 100 + 1e-3);
            var png = ImageIO.DecodeRgb(Path.Combine(output, e.Image));
            Assert.Equal((224, 224), (png.Width, png.Height));
        }
        Assert.True(index.Results.Average(e => e.FinalCosine) > index.Results.Average(e => e.StartCosine) + 0.05);
        Assert.True(File.Exists(Path.Combine(output, index.Targets[1].Image!)));
        Assert.Equal("inversions/ref_001-seed1.png", index.Results[3].Image);
    }

    [Fact]
    public void Text_inverts_prompts_with_a_vocabulary_file()
    {
        using var dir = new FixturePaths.TempDir();
        // A small vocabulary in open_clip's gzip layout: its ids stay below the mini text tower's 1024 tokens.
        var vocab = dir.File("vocab.txt.gz");
        using (var z = new GZipStream(File.Create(vocab), CompressionLevel.Fastest))
            z.Write(Encoding.UTF8.GetBytes("header\nc a\nca t</w>\nd o\ndo g</w>\n"));
        var output = dir.File("text");
        var r = CliRunner.Run("invert", "text", "--checkpoint", Model("openclip-vit-b32-mini"), "--vocab", vocab, "--text-heads", "2",
            "--prompt", "A cat", "--prompt", "a dog!", "--seeds", "1", "--iters", "6", "--out", output, "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var index = InversionIndex.Read(Path.Combine(output, "index.json"));
        Assert.Equal("text", index.Kind);
        Assert.Equal(["A cat", "a dog!"], index.Targets.Select(t => t.Prompt));
        Assert.Equal("a cat", index.Targets[0].Cleaned);
        Assert.Equal(4, index.Targets[0].TokenCount);          // SOT a</w> cat</w> EOT
        Assert.All(index.Results, e => Assert.True(e.FinalCosine >= e.StartCosine));
        Assert.True(index.Results.Average(e => e.FinalCosine) > index.Results.Average(e => e.StartCosine));
        Assert.All(index.Results, e => Assert.True(File.Exists(Path.Combine(output, e.Image))));
        Assert.Null(index.Targets[0].Image);
    }

    [Fact]
    public void Table_scores_every_reconstruction_with_every_encoder()
    {
        using var dir = new FixturePaths.TempDir();
        var output = dir.File("table");
        var r = CliRunner.Run("invert", "table", "--checkpoint", Model("openclip-vit-b32-mini"), "--checkpoint", Path.Combine(FixturePaths.Encoder("openclip-vit-b16-mini"), "model.safetensors"),
            "--images", TwoImages(dir), "--seeds", "1", "--iters", "6", "--out", output, "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "table.json")));
        var root = doc.RootElement;
        Assert.Equal("table", root.GetProperty("kind").GetString());
        var names = root.GetProperty("encoders").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(["model", "model-2"], names);    // both files are model.safetensors: names are made unique
        var m = root.GetProperty("matrix").EnumerateArray().Select(row => row.EnumerateArray().Select(c => c.GetDouble()).ToArray()).ToArray();
        Assert.Equal(2, m.Length);
        Assert.All(m, row => Assert.Equal(2, row.Length));
        Assert.All(m.SelectMany(x => x), c => Assert.InRange(c, -1.0, 1.0));
        // Each row's reconstructions were optimised for its own encoder: the diagonal matches that gallery's final cosines.
        for (int i = 0; i < 2; i++)
        {
            var g = InversionIndex.Read(Path.Combine(output, root.GetProperty("galleries").GetProperty(names[i]!).GetString()!));
            Assert.Equal(g.Results.Average(e => e.FinalCosine), m[i][i], 4);
        }
        Assert.Equal(2, root.GetProperty("per_image")[0][1].GetArrayLength());
    }

    [Fact]
    public void Missing_prompt_and_bad_settings_are_clear_errors()
    {
        using var dir = new FixturePaths.TempDir();
        var r = CliRunner.Run("invert", "text", "--checkpoint", Model("openclip-vit-b32-mini"), "--vocab", dir.File("v.gz"), "--out", dir.File("o"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--prompt", r.Stderr);
        var s = CliRunner.Run("invert", "features", "--checkpoint", Model("openclip-vit-b32-mini"), "--images", dir.Path, "--radius", "-1", "--out", dir.File("o"));
        Assert.Equal(2, s.ExitCode);
        Assert.Contains("radius", s.Stderr);
        Assert.False(Directory.Exists(dir.File("o")));
    }
}
