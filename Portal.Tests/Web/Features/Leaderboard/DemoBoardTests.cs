using Bunit;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using Portal.Web.Components;
using Portal.Web.Features.Jobs;
using Portal.Web.Features.Leaderboard;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Features.Submit;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>
/// The demo 2AFC board tells the paper's story at its own threat model (L∞ 1/255, where the tiny demo encoders differ) and
/// says so: the header names the ε, the notice says it is demo data and not the paper's 4/255, and it stays at 1/255 when a
/// submitter runs only the paper's ε.
/// </summary>
public sealed class DemoBoardTests : ComponentTestContext
{
    private static BenchmarkRecord DemoBench()
    {
        var b = Bench(7, Portal.Web.Features.Demo.DemoSeeder.BenchmarkName);
        b.IsDemo = true;
        b.Splits = "procedural";
        return b;
    }

    private static List<ResultRecord> DemoResults(BenchmarkRecord b, EncoderRecord clean, EncoderRecord fare, EncoderRecord submitted) =>
    [
        Result(clean, b, Clean(), 0.843, null), Result(clean, b, Linf(Presets.DemoLinfEps, 10), 0.843, 0.103), Result(clean, b, Linf(4.0 / 255, 10), 0.843, 0.0),
        Result(fare, b, Clean(), 0.75, null), Result(fare, b, Linf(Presets.DemoLinfEps, 10), 0.75, 0.337), Result(fare, b, Linf(4.0 / 255, 10), 0.75, 0.04),
        // Two submitters ran only the paper's ε (the default ticks of another time): more encoders there than at 1/255.
        Result(submitted, b, Linf(4.0 / 255), 0.6, 0.3),
    ];

    [Fact]
    public void Demo_board_ranks_at_its_own_threat_model_and_says_it_is_not_the_papers()
    {
        var b = DemoBench();
        EncoderRecord clean = Encoder(1, "demo clean"), fare = Encoder(2, "demo FARE"), other = Encoder(3, "submitted"), other2 = Encoder(4, "submitted 2");
        var results = DemoResults(b, clean, fare, other);
        results.Add(Result(other2, b, Linf(4.0 / 255), 0.6, 0.2));
        var board = LeaderboardBuilder.ForBenchmark(b, [clean, fare, other, other2], results, []);

        Assert.True(board.IsDemo);
        Assert.Equal("1/255", board.LinfEps);
        Assert.StartsWith("L∞ ε=1/255 · APGD-CE 10 it", board.Header(AccuracyKind.Linf));
        Assert.Equal(0.337, board.Rows.Single(r => r.Encoder == "demo FARE").Linf);
        Assert.Equal(0.103, board.Rows.Single(r => r.Encoder == "demo clean").Linf);
        // FARE is the more robust one at this ε, by tens of points.
        Assert.True(board.Rows.Single(r => r.Encoder == "demo FARE").Linf - board.Rows.Single(r => r.Encoder == "demo clean").Linf > 0.2);
        Assert.Null(board.Rows.Single(r => r.Encoder == "submitted").Linf); // its 4/255 number is not passed off as a 1/255 one
        Assert.Contains("L∞ ε=1/255", board.DemoThreatModelNote);
        Assert.Contains("not the paper's 4/255", board.DemoThreatModelNote);
        Assert.Equal(["procedural"], board.BreakdownNames);

        // The overview of a portal with demo data says so too; next to a real board at 4/255 its ε is "mixed", and the
        // note names the demo board's own.
        var overview = LeaderboardBuilder.Overview([b], [clean, fare, other, other2], results, []);
        Assert.True(overview.IsDemo);
        Assert.Equal("robust column: L∞ ε=1/255, the demo's own threat model — not the paper's 4/255", overview.DemoThreatModelNote);
        var real = Bench(11, "NIGHTS test");
        var mixed = LeaderboardBuilder.Overview([b, real], [clean, fare, other, other2], [.. results, Result(other, real, Linf(), 0.9, 0.5)], []);
        Assert.Equal("mixed", mixed.LinfEps);
        Assert.Equal("the demo board's robust column is L∞ ε=1/255, its own threat model — not the paper's 4/255", mixed.DemoThreatModelNote);
    }

    [Fact]
    public void A_real_benchmark_keeps_the_column_most_encoders_share_and_no_demo_note()
    {
        var b = Bench(8, "NIGHTS test");
        EncoderRecord clean = Encoder(1, "a"), fare = Encoder(2, "b"), other = Encoder(3, "c");
        var results = DemoResults(b, clean, fare, other);
        var board = LeaderboardBuilder.ForBenchmark(b, [clean, fare, other], results, []);
        Assert.False(board.IsDemo);
        Assert.Equal("4/255", board.LinfEps);
        Assert.Null(board.DemoThreatModelNote);
        // A demo board at the paper's ε needs no threat-model note, only the demo notice.
        var demoAtPapers = DemoBench();
        var onlyPapers = LeaderboardBuilder.ForBenchmark(demoAtPapers, [other], [Result(other, demoAtPapers, Linf(4.0 / 255), 0.6, 0.3)], []);
        Assert.True(onlyPapers.IsDemo);
        Assert.Equal("4/255", onlyPapers.LinfEps);
        Assert.Null(onlyPapers.DemoThreatModelNote);
    }

    [Fact]
    public void Notice_names_demo_data_and_the_threat_model_detail()
    {
        var cut = Render<DemoDataNotice>(p => p.Add(n => n.Show, true).Add(n => n.Detail, "robust column: L∞ ε=1/255, the demo's own threat model — not the paper's 4/255"));
        var text = cut.Find("#demo-notice").TextContent;
        Assert.Contains("demo data: procedural images, tiny encoders", text);
        Assert.Contains("not the paper's 4/255", text);
        Assert.Empty(Render<DemoDataNotice>(p => p.Add(n => n.Show, false)).FindAll("#demo-notice"));
    }

    [Fact]
    public void The_demo_threat_model_is_offered_and_ticked_on_demo_benchmarks_only()
    {
        var demo = DemoBench();
        var real = Bench(9, "NIGHTS test");
        Assert.Contains(PresetChoices.Offered([demo]), o => o.Preset == Presets.DemoLinf1);
        Assert.DoesNotContain(PresetChoices.Offered([real]), o => o.Preset == Presets.DemoLinf1);
        var ticked = PresetChoices.Defaults.ToHashSet();
        Assert.Equal([Presets.Clean, Presets.Linf4, Presets.DemoLinf1], PresetChoices.For(demo, ticked));
        Assert.Equal([Presets.Clean, Presets.Linf4], PresetChoices.For(real, ticked));
        var c = Presets.Config(Presets.DemoLinf1, iterations: 10);
        Assert.Equal(("apgd", "linf", 1.0 / 255, 10), (c.Attack, c.Norm, c.Eps, c.Iterations));
        Assert.Contains("not the paper's", Presets.Describe(Presets.DemoLinf1));
        // The seeder runs it on every encoder of the demo board, with the paper's ε beside it.
        Assert.Equal([Presets.Clean, Presets.DemoLinf1, Presets.Linf4], Portal.Web.Features.Demo.DemoSeeder.BoardPresets);
    }
}
