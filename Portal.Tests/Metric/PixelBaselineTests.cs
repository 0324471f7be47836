using Portal.Engine.Demo;
using Portal.Engine.Metric;
using Portal.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Metric;

public sealed class PixelBaselineTests
{
    [Fact]
    public void Ssim_of_an_image_with_itself_is_one_and_drops_with_noise()
    {
        using var scope = torch.NewDisposeScope();
        using var ssim = new Ssim(32);
        torch.manual_seed(1);
        var x = torch.rand(2, 3, 32, 32);
        var noisy = (x + 0.2f * torch.randn_like(x)).clamp(0, 1);
        var self = ssim.Similarity(ssim.Embed(x), ssim.Embed(x));
        Assert.All(self.data<float>().ToArray(), v => Assert.Equal(1f, v, 4));
        var s = ssim.Similarity(ssim.Embed(x), ssim.Embed(noisy)).data<float>().ToArray();
        Assert.All(s, v => Assert.InRange(v, -1f, 0.99f));
        // Flattened representations (as an embedding cache returns them) give the same value.
        var flat = ssim.Similarity(x.flatten(1), noisy.flatten(1)).data<float>().ToArray();
        Assert.Equal(s, flat);
    }

    [Fact]
    public void Both_baselines_are_differentiable_in_the_pixels()
    {
        using var scope = torch.NewDisposeScope();
        using var gradMode = torch.enable_grad();
        torch.manual_seed(2);
        foreach (IPerceptualModel m in new IPerceptualModel[] { new PixelL2(16), new Ssim(16) })
        {
            using var _ = m;
            var x = torch.rand(1, 3, 16, 16).requires_grad_(true);
            var y = torch.rand(1, 3, 16, 16);
            var sim = m.Similarity(m.Embed(x), m.Embed(y)).sum();
            var g = torch.autograd.grad([sim], [x])[0];
            Assert.True(g.abs().sum().item<float>() > 0, $"{m.Name}: zero gradient");
        }
    }

    [Fact]
    public void Pixel_l2_ranks_the_closer_image_higher()
    {
        using var scope = torch.NewDisposeScope();
        using var l2 = new PixelL2(8);
        var r = torch.full(1, 3, 8, 8, 0.5f);
        var near = torch.full(1, 3, 8, 8, 0.52f);
        var far = torch.full(1, 3, 8, 8, 0.7f);
        Assert.True(l2.Similarity(r, near).item<float>() > l2.Similarity(r, far).item<float>());
        Assert.Equal(-0.04f, l2.Similarity(r, far).item<float>(), 5);
    }

    [Fact]
    public void Demo_generator_is_deterministic_and_writes_the_nights_layout()
    {
        using var a = new FixturePaths.TempDir();
        using var b = new FixturePaths.TempDir();
        var spec = new DemoTwoAfcGenerator.DemoSpec(8, 24, 3);
        DemoTwoAfcGenerator.EnsureGenerated(a.Path, spec);
        DemoTwoAfcGenerator.EnsureGenerated(b.Path, spec);
        var filesA = Directory.GetFiles(a.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a.Path, f)).Order().ToList();
        Assert.Contains("data.csv", filesA);
        Assert.Contains(Path.Combine("ref", "000", "007.png"), filesA);
        Assert.Contains(Path.Combine("distort", "000", "007_1.png"), filesA);
        foreach (var f in filesA)
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, f)), File.ReadAllBytes(Path.Combine(b.Path, f)));
        var rows = File.ReadAllLines(Path.Combine(a.Path, "data.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Equal(1, int.Parse(r[1]) + int.Parse(r[2])));
        // The mild image sits on both sides across the set, so a constant answer cannot score well.
        Assert.Contains(rows, r => r[2] == "1");
        Assert.Contains(rows, r => r[2] == "0");
    }

    [Fact]
    public void Demo_labels_agree_with_pixel_l2_on_same_kind_pairs()
    {
        // Same distortion at two strengths (slots 0 and 1): the weaker one is closer in pixels too, so L2 must agree.
        using var dir = new FixturePaths.TempDir();
        DemoTwoAfcGenerator.EnsureGenerated(dir.Path, new DemoTwoAfcGenerator.DemoSpec(16, 24, 5));
        using var l2 = new PixelL2(24);
        var rows = File.ReadAllLines(dir.File("data.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var r in rows.Where((_, i) => i % 4 < 2))
        {
            using var scope = torch.NewDisposeScope();
            Tensor Load(string rel) => global::Portal.Engine.Images.ImageIO.Load(Path.Combine(dir.Path, rel)).unsqueeze(0);
            var refImg = Load(r[4]);
            var s0 = l2.Similarity(refImg, Load(r[5])).item<float>();
            var s1 = l2.Similarity(refImg, Load(r[6])).item<float>();
            Assert.Equal(r[2] == "1", s1 > s0);
        }
    }
}
