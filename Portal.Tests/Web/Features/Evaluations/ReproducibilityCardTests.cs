using Bunit;
using Portal.Tests.Web.Support;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Evaluations;

namespace Portal.Tests.Web.Features.Evaluations;

/// <summary>The reproducibility card says how a number was obtained, including failed sanity checks.</summary>
public sealed class ReproducibilityCardTests : ComponentTestContext
{
    [Fact]
    public void Shows_engine_configuration_seed_device_wall_time_date_and_splits()
    {
        var r = Result(Encoder(1, "CLIP"), Bench(), Linf(iterations: 100) , 0.9012, 0.4567, [(0.95, 0.5), (0.85, 0.41)]);
        r.Config.Seed = 17;
        r.ConfigKey = r.Config.Key;
        r.WallSeconds = 754;
        r.SanityJson = """[{"name":"perturbation_within_eps","passed":true,"value":0.0157,"limit":0.0157,"detail":"largest |d|"}]""";
        var cut = Render<ReproducibilityCard>(p => p.Add(x => x.Result, r));

        Assert.Equal("0.1.0+test", cut.Find(".repro-engine").TextContent);
        Assert.Equal("cpu", cut.Find(".repro-device").TextContent);
        Assert.Equal("17", cut.Find(".repro-seed").TextContent);
        Assert.Contains("seed=17", cut.Find(".repro-config").TextContent);
        Assert.Equal("12.6 min", cut.Find(".repro-wall").TextContent);
        Assert.Equal("2026-11-20 09:30 UTC", cut.Find(".repro-date").TextContent);
        Assert.Equal("90.1%", cut.Find(".repro-clean").TextContent);
        Assert.Equal("45.7%", cut.Find(".repro-robust").TextContent);
        Assert.Contains("L∞ ε = 4/255, 100 iterations", cut.Markup);
        Assert.Single(cut.FindAll(".repro-sanity tr.sanity-pass"));
        Assert.Equal(2, cut.FindAll(".repro-splits tbody tr").Count);
        Assert.Contains("41.0", cut.Find(".repro-splits").TextContent);
        Assert.Contains("sanity checks passed", cut.Find(".repro-sanity-chip").TextContent);
        Assert.Contains($"/api/results/{r.Id}", cut.Markup);
    }

    [Fact]
    public void A_failed_or_unreadable_sanity_check_is_shown_as_failed()
    {
        var r = Result(Encoder(1, "CLIP"), Bench(), Clean(), 0.9, null);
        r.SanityPassed = false;
        r.SanityJson = "not json";
        var cut = Render<ReproducibilityCard>(p => p.Add(x => x.Result, r));
        Assert.Contains("sanity check FAILED", cut.Find(".repro-sanity-chip").TextContent);
        Assert.Contains("unreadable", cut.Find(".repro-sanity tr.sanity-fail").TextContent);
        // Clean runs have no robust number or attack.
        Assert.Empty(cut.FindAll(".repro-robust"));
        Assert.Contains("none (clean)", cut.Markup);
    }
}
