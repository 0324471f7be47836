using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Encoders;

/// <summary>Missing/unexpected keys, visual-only checkpoints, wrong architectures and overrides.</summary>
public class KeyReportTests
{
    private const string Vit = "openclip-vit-b32-mini";

    /// <summary>Rewrites the fixture checkpoint through <paramref name="edit"/> into a temp file.</summary>
    private static string Rewrite(FixturePaths.TempDir dir, string caseName, Func<List<KeyValuePair<string, Tensor>>, List<KeyValuePair<string, Tensor>>> edit)
    {
        using var sd = SafeTensors.Load(EncoderFixtures.File(caseName, "model.safetensors"));
        var list = edit(sd.Keys.Select(k => new KeyValuePair<string, Tensor>(k, sd[k])).ToList());
        var path = dir.File(Guid.NewGuid().ToString("N")[..8] + ".safetensors");
        SafeTensors.Save(path, list);
        return path;
    }

    [Fact]
    public void Visual_only_checkpoint_without_prefix_gives_the_same_embeddings()
    {
        using var dir = new FixturePaths.TempDir();
        var path = Rewrite(dir, Vit, l => l.Where(kv => kv.Key.StartsWith("visual.")).Select(kv => new KeyValuePair<string, Tensor>(kv.Key["visual.".Length..], kv.Value)).ToList());
        using var whole = EncoderLoader.Load(EncoderFixtures.File(Vit, "model.safetensors"));
        using var visualOnly = EncoderLoader.Load(path);
        Assert.Equal("visual tower only", visualOnly.Info.Details["checkpoint_layout"]);
        Assert.NotEqual("0", whole.Info.Details["ignored_text_keys"]);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = EncoderFixtures.Images(Vit);
        Assert.True(whole.Forward(x).equal(visualOnly.Forward(x)).all().item<bool>());
    }

    [Fact]
    public void Missing_key_is_refused_with_its_name_unless_forced()
    {
        using var dir = new FixturePaths.TempDir();
        var path = Rewrite(dir, Vit, l => l.Where(kv => kv.Key != "visual.ln_pre.weight").ToList());
        var e = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(path));
        Assert.Contains("1 missing key(s): visual.ln_pre.weight", e.Message);
        Assert.Contains("--force", e.Message);
        using var forced = EncoderLoader.Load(path, new EncoderLoadOptions { Force = true });
        Assert.Equal(["visual.ln_pre.weight"], forced.Info.MissingKeys);
    }

    [Fact]
    public void Unexpected_visual_key_is_refused_but_text_keys_are_not()
    {
        using var dir = new FixturePaths.TempDir();
        var path = Rewrite(dir, Vit, l => [.. l, new("visual.extra_adapter.weight", torch.zeros(3))]);
        var e = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(path));
        Assert.Contains("1 unexpected key(s): visual.extra_adapter.weight", e.Message);
        using var forced = EncoderLoader.Load(path, new EncoderLoadOptions { Force = true });
        Assert.Equal(["visual.extra_adapter.weight"], forced.Info.UnexpectedKeys);
        Assert.Empty(forced.Info.MissingKeys);
    }

    [Fact]
    public void Wrong_architecture_is_refused_with_a_clear_message()
    {
        using var dir = new FixturePaths.TempDir();
        var resnet = dir.File("resnet.safetensors");
        SafeTensors.Save(resnet, [new("conv1.weight", torch.zeros(8, 3, 7, 7)), new("bn1.weight", torch.ones(8)), new("fc.weight", torch.zeros(10, 8))]);
        var e = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(resnet));
        Assert.Contains("unrecognised architecture", e.Message);
        Assert.Contains("conv1.weight", e.Message);

        var convnext = EncoderFixtures.File("openclip-convnext-mini", "model.safetensors");
        var o = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(convnext, new EncoderLoadOptions { Architecture = "dino-vit" }));
        Assert.Contains("requested architecture 'dino-vit'", o.Message);
        Assert.Contains("patch_embed.proj.weight", o.Message);

        var u = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(convnext, new EncoderLoadOptions { Architecture = "resnet50" }));
        Assert.Contains("unknown architecture 'resnet50'", u.Message);
    }

    [Fact]
    public void Wrong_shape_is_refused_even_when_forced()
    {
        using var dir = new FixturePaths.TempDir();
        var path = Rewrite(dir, Vit, l => l.Select(kv => kv.Key == "visual.ln_post.bias" ? new KeyValuePair<string, Tensor>(kv.Key, torch.zeros(65)) : kv).ToList());
        var e = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(path, new EncoderLoadOptions { Force = true }));
        Assert.Contains("visual.ln_post.bias is [65]", e.Message);
    }

    [Fact]
    public void Override_can_set_quickgelu_and_heads()
    {
        var path = EncoderFixtures.File(Vit, "model.safetensors");
        using var quick = EncoderLoader.Load(path, new EncoderLoadOptions { Architecture = "openclip-vit:quickgelu,heads=2" });
        Assert.Equal("quick_gelu", quick.Info.Details["activation"]);
        using var plain = EncoderLoader.Load(path);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = EncoderFixtures.Images(Vit);
        Assert.False(quick.Forward(x).allclose(plain.Forward(x), 1e-3, 1e-3));
        var bad = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(path, new EncoderLoadOptions { Architecture = "openclip-vit:heads=3" }));
        Assert.Contains("heads=3", bad.Message);
    }

    [Theory]
    [InlineData("openclip-convnext-mini", "openclip-convnext", 224, 256, ResizeMode.ShorterSideCrop)]
    [InlineData("openclip-vit-b16-mini", "openclip-vit", 224, 224, ResizeMode.ShorterSideCrop)]
    [InlineData("dino-vitb16-mini", "dino-vit", 224, 256, ResizeMode.ShorterSideCrop)]
    public void Recipe_is_recorded(string caseName, string arch, int crop, int resize, ResizeMode mode)
    {
        using var enc = EncoderLoader.Load(EncoderFixtures.File(caseName, "model.safetensors"));
        Assert.Equal(arch, enc.Info.Architecture);
        Assert.Equal(crop, enc.Info.Preprocessing.ImageHeight);
        Assert.Equal(resize, enc.Info.Preprocessing.ResizeTo);
        Assert.Equal(mode, enc.Info.Preprocessing.Mode);
        Assert.Equal(Interpolation.Bicubic, enc.Info.Preprocessing.Interpolation);
    }
}
