using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Components;
using Portal.Web.Features.Leaderboard;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>How results become leaderboard rows: which result a column uses, ε in the headers, ranking, overview means, export.</summary>
public sealed class LeaderboardBuilderTests
{
    [Fact]
    public void Rows_take_the_most_complete_result_per_column_and_rank_by_robust_accuracy()
    {
        var b = Bench();
        var clip = Encoder(1, "CLIP");
        var fare = Encoder(2, "FARE-CLIP", description: "FARE fine-tuned at 4/255");
        var results = new List<ResultRecord>
        {
            Result(clip, b, Clean(), 0.90, null, [(0.92, null), (0.88, null)]),
            Result(clip, b, Linf(), 0.90, 0.05),
            // A partial run (first 10 items) must not beat the full one, even with a better number.
            Result(clip, b, Linf(limit: 10), 0.90, 0.50),
            Result(fare, b, Linf(), 0.87, 0.70, [(0.88, 0.72), (0.86, 0.68)]),
            Result(fare, b, L2(), 0.87, 0.60),
        };
        var board = LeaderboardBuilder.ForBenchmark(b, [clip, fare], results, []);

        Assert.Equal(["FARE-CLIP", "CLIP"], board.Rows.Select(r => r.Encoder));
        var c = board.Rows[1];
        Assert.Equal((0.90, 0.05, (double?)null), (c.Clean!.Value, c.Linf!.Value, c.L2));
        var f = board.Rows[0];
        // No clean-only run: the attack run's clean accuracy stands in.
        Assert.Equal((0.87, 0.70, 0.60), (f.Clean!.Value, f.Linf!.Value, f.L2!.Value));
        Assert.True(f.IsRobustModel);
        Assert.StartsWith("FARE", f.FineTuning);
        Assert.False(c.IsRobustModel);
        Assert.Equal(0.72, f.Cell("test_imagenet").Linf);
        Assert.Equal(0.92, c.Cell("test_imagenet").Clean);
        Assert.Equal(["test_imagenet", "test_no_imagenet"], board.BreakdownNames);
        // Robust headers name the whole threat model: ε, attack, iterations, restarts.
        Assert.Equal("L∞ ε=4/255 · APGD-CE 100 it · 1 restart", board.Header(AccuracyKind.Linf));
        Assert.Equal("L∞ ε=4/255", board.ShortHeader(AccuracyKind.Linf));
        Assert.Equal("L2 ε=3 · APGD-CE 100 it · 1 restart", board.Header(AccuracyKind.L2));
    }

    [Fact]
    public void The_header_eps_is_the_one_most_encoders_were_attacked_at_and_other_eps_are_left_out()
    {
        var b = Bench();
        var e1 = Encoder(1, "A"); var e2 = Encoder(2, "B"); var e3 = Encoder(3, "C");
        var results = new List<ResultRecord>
        {
            Result(e1, b, Linf(eps: 2.0 / 255), 0.9, 0.4), Result(e2, b, Linf(eps: 2.0 / 255), 0.8, 0.3), Result(e3, b, Linf(eps: 8.0 / 255), 0.85, 0.1),
        };
        var board = LeaderboardBuilder.ForBenchmark(b, [e1, e2, e3], results, []);
        Assert.Equal("2/255", board.LinfEps);
        Assert.Null(board.Rows.Single(r => r.Encoder == "C").Linf);
        Assert.Equal(0.85, board.Rows.Single(r => r.Encoder == "C").Clean);
    }

    [Fact]
    public void Running_jobs_give_rows_before_any_result_and_the_overview_averages_benchmarks()
    {
        var b1 = Bench(1, "NIGHTS"); var b2 = Bench(2, "BAPPS");
        var e = Encoder(1, "CLIP"); var fresh = Encoder(2, "New");
        var results = new List<ResultRecord> { Result(e, b1, Clean(), 0.90, null), Result(e, b2, Clean(), 0.70, null) };
        var running = new JobRecord { Id = 77, EncoderId = fresh.Id, DatasetId = b1.Id, Preset = "linf-4", Status = JobStatus.Running, Done = 30, Total = 120 };
        var board = LeaderboardBuilder.ForBenchmark(b1, [e, fresh], results, [running]);
        var row = board.Rows.Single(r => r.Encoder == "New");
        Assert.Null(row.Clean);
        Assert.Equal(25, row.Running.Single().Percent);

        var overview = LeaderboardBuilder.Overview([b1, b2], [e, fresh], results, [running]);
        Assert.Equal(0.80, overview.Rows.Single(r => r.Encoder == "CLIP").Clean!.Value, 12);
        Assert.Equal(["NIGHTS", "BAPPS"], overview.BreakdownNames);
        Assert.Equal(0.70, overview.Rows.Single(r => r.Encoder == "CLIP").Cell("BAPPS").Clean);
    }

    [Fact]
    public void Csv_export_keeps_the_given_order_and_full_precision()
    {
        var b = Bench();
        var e1 = Encoder(1, "A, with comma"); var e2 = Encoder(2, "B");
        var board = LeaderboardBuilder.ForBenchmark(b, [e1, e2], [Result(e1, b, Clean(), 0.123456, null), Result(e2, b, Clean(), 0.9, null)], []);
        var csv = LeaderboardExport.Csv(board, board.Rows.OrderBy(r => r.Clean)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("rank,encoder_id,encoder,family,backbone,fine_tuning,clean,linf_4/255,l2_3,", csv[0]);
        Assert.StartsWith("1,1,\"A, with comma\",CLIP,ViT-B/32,none,0.123456,,,true,", csv[1]);
        Assert.StartsWith("2,2,B,", csv[2]);
        Assert.Equal("12.3", Percent.Format(0.123456));
        Assert.Equal("–", Percent.Format(null));
    }

    [Fact]
    public void Filters_select_family_backbone_and_robust_versus_clean()
    {
        var b = Bench();
        EncoderRecord[] es = [Encoder(1, "CLIP"), Encoder(2, "TeCoA", description: "TeCoA robust"), Encoder(3, "DINO", family: "DINO", backbone: "ViT-B/16")];
        var rows = LeaderboardBuilder.ForBenchmark(b, es, es.Select((e, i) => Result(e, b, Clean(), 0.9 - i * 0.1, null)).ToList(), []).Rows;
        Assert.Equal(["TeCoA"], new LeaderboardFilter(Kind: LeaderboardFilter.RobustKind).Apply(rows).Select(r => r.Encoder));
        Assert.Equal(["CLIP", "DINO"], new LeaderboardFilter(Kind: LeaderboardFilter.CleanKind).Apply(rows).Select(r => r.Encoder).Order());
        Assert.Equal(["DINO"], new LeaderboardFilter(Family: "DINO").Apply(rows).Select(r => r.Encoder));
        Assert.Equal(["DINO"], new LeaderboardFilter(Backbone: "ViT-B/16").Apply(rows).Select(r => r.Encoder));
        Assert.Equal(["TeCoA"], new LeaderboardFilter(Search: "teco").Apply(rows).Select(r => r.Encoder));
    }
}
