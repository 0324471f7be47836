using Portal.Engine.Attacks;
using Portal.Engine.Inversion;
using Portal.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Inversion;

/// <summary>Inversion on a small random conv encoder (32×32): it climbs the cosine, stays in the ball and the box, and repeats exactly.</summary>
public class FeatureInversionTests
{
    private static readonly InversionSettings Quick = new() { Iterations = 25, Seeds = [0, 1], BatchSize = 4 };

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static Tensor Target(TinyConvEncoder enc, int seed)
    {
        using var g = new torch.Generator((ulong)seed + 100, CPU);
        var img = torch.rand([1, 3, 32, 32], ScalarType.Float32, CPU, generator: g);
        return FeatureInversion.Embed(enc, img);
    }

    [Fact]
    public void Cosine_rises_and_the_result_stays_in_ball_and_box()
    {
        using var enc = new TinyConvEncoder(seed: 3);
        using var targets = torch.cat([Target(enc, 1), Target(enc, 2)], 0);
        var results = FeatureInversion.Run(enc, targets, Quick);
        try
        {
            Assert.Equal(4, results.Count);
            Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 1)], results.Select(r => (r.Target, r.Seed)));
            foreach (var r in results)
            {
                Assert.True(r.FinalCosine > r.StartCosine, $"target {r.Target} seed {r.Seed}: {r.StartCosine:F4} → {r.FinalCosine:F4}");
                Assert.True(r.FinalCosine > 0.9, $"final cosine {r.FinalCosine:F4} after {Quick.Iterations} iterations");
                Assert.True(r.DeltaL2 <= Quick.Radius + 1e-3);
                Assert.True(r.DeltaL2 > 0);
                Assert.Equal(new long[] { 3, 32, 32 }, r.Image.shape);
                Assert.True(r.Image.min().item<float>() >= 0f && r.Image.max().item<float>() <= 1f);
                // The reported figures are those of the returned image.
                using var start = InversionStart.Make(r.Seed, 32, 32).unsqueeze(0);
                Assert.Equal(r.DeltaL2, ThreatBall.Norms(r.Image.unsqueeze(0) - start, ThreatNorm.L2)[0], 9);
                using var again = FeatureInversion.Cosine(FeatureInversion.Embed(enc, r.Image.unsqueeze(0)), targets[r.Target].unsqueeze(0));
                Assert.Equal(r.FinalCosine, again.item<float>(), 5);
            }
        }
        finally { results.ForEach(r => r.Dispose()); }
    }

    [Fact]
    public void A_small_radius_binds_and_is_respected()
    {
        using var enc = new TinyConvEncoder(seed: 4);
        using var target = Target(enc, 5);
        var results = FeatureInversion.Run(enc, target, Quick with { Radius = 1.5, Seeds = [7] });
        var r = Assert.Single(results);
        Assert.True(r.DeltaL2 <= 1.5 + 1e-3, $"‖δ‖₂ = {r.DeltaL2}");
        Assert.True(r.DeltaL2 > 1.0, $"with a tight ball the optimum sits near its surface, got {r.DeltaL2}");
        Assert.True(r.FinalCosine > r.StartCosine);
        r.Dispose();
    }

    [Fact]
    public void A_seed_gives_the_same_reconstruction_and_seeds_differ()
    {
        using var enc = new TinyConvEncoder(seed: 6);
        using var target = Target(enc, 7);
        var settings = Quick with { Iterations = 10, Seeds = [11, 12] };
        var a = FeatureInversion.Run(enc, target, settings);
        var b = FeatureInversion.Run(enc, target, settings);
        Assert.True(Same(a[0].Image, b[0].Image));
        Assert.True(Same(a[1].Image, b[1].Image));
        Assert.Equal(a[0].FinalCosine, b[0].FinalCosine);
        Assert.False(Same(a[0].Image, a[1].Image));
        a.Concat(b).ToList().ForEach(r => r.Dispose());
    }

    [Fact]
    public void The_start_is_grey_plus_bounded_noise_and_depends_on_the_seed_only()
    {
        using var s = InversionStart.Make(3, 16, 24);
        using var again = InversionStart.Make(3, 16, 24);
        using var other = InversionStart.Make(4, 16, 24);
        Assert.True(Same(s, again));
        Assert.False(Same(s, other));
        Assert.True((s - 0.5).abs().max().item<float>() <= 8f / 255 + 1e-6f);
        Assert.True((s - 0.5).abs().max().item<float>() > 7f / 255, "noise should fill its range");
        Assert.InRange(s.mean().item<float>(), 0.49f, 0.51f);
    }

    [Fact]
    public void Bad_settings_and_targets_are_refused_clearly()
    {
        using var enc = new TinyConvEncoder();
        using var t = torch.zeros(1, 16);
        Assert.Contains("radius", Assert.Throws<ArgumentException>(() => FeatureInversion.Run(enc, t, Quick with { Radius = 0 })).Message);
        Assert.Contains("seeds must be distinct", Assert.Throws<ArgumentException>(() => FeatureInversion.Run(enc, t, Quick with { Seeds = [1, 1] })).Message);
        using var wrong = torch.zeros(1, 15);
        Assert.Contains("T×16", Assert.Throws<ArgumentException>(() => FeatureInversion.Run(enc, wrong, Quick)).Message);
    }

    [Fact]
    public void Paper_defaults_are_the_protocol()
    {
        var s = new InversionSettings();
        var o = s.ToApgd();
        Assert.Equal((100.0, 500, 200.0), (s.Radius, s.Iterations, s.InitialStepFactor * s.Radius));
        Assert.Equal(ThreatNorm.L2, o.Norm);
        Assert.False(o.RandomStart);
        Assert.Equal(8.0 / 255, s.StartNoise);
    }

    [Fact]
    public void The_paper_radius_keeps_its_per_pixel_budget_at_other_sizes()
    {
        Assert.Equal(100.0, InversionSettings.PaperRadiusAt(224, 224), 9);
        // Same RMS change per value: radius / √(3·H·W) is the paper's 100 / √(3·224·224) at every size.
        foreach (var (h, w) in new[] { (64, 64), (32, 48), (336, 336) })
            Assert.Equal(100.0 / Math.Sqrt(3 * 224 * 224), InversionSettings.PaperRadiusAt(h, w) / Math.Sqrt(3.0 * h * w), 12);
        Assert.Equal(28.57, InversionSettings.PaperRadiusAt(64, 64), 2);
    }
}
