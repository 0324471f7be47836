using Portal.Data.Entities;
using Portal.Data.Reported;
using Portal.Web.Features.Leaderboard;
using Portal.Web.Features.Reported;
using static Portal.Tests.Web.Support.WebTestData;

namespace Portal.Tests.Web.Features.Reported;

/// <summary>Reported numbers on the boards: where they go, their provenance, contradictions, the source filter and linked encoders.</summary>
public sealed class ReportedBoardsTests
{
    /// <summary>The shipped tables as records, without a database (the builder is pure).</summary>
    private static readonly Lazy<List<ReportedResultRecord>> Shipped = new(() =>
    {
        var list = new List<ReportedResultRecord>();
        var id = 0;
        foreach (var (name, open) in ReportedImporter.ShippedFiles(ReportedImporter.RobustClipMetrics))
        {
            using var s = open();
            foreach (var r in ReportedCsv.Read(s, name))
                list.Add(new ReportedResultRecord
                {
                    Id = ++id, Paper = ReportedImporter.RobustClipMetrics.Id, Table = r.Table, Row = r.Row, Method = r.Method, Encoder = r.Encoder, Training = r.Training,
                    Benchmark = r.Benchmark, Split = r.Split, Metric = r.Metric, Threat = r.Threat, Eps = r.Eps, ValueText = r.ValueText, Value = r.Value,
                    Reference = r.Reference, Note = r.Note, Source = name,
                });
        }
        return list;
    });

    private static Portal.Web.Features.Leaderboard.Leaderboard Board(string key) => ReportedBoards.ReportedOnly(key, Shipped.Value, []) ?? throw new Xunit.Sdk.XunitException($"no board {key}");

    [Fact]
    public void Benchmarks_without_a_local_dataset_get_reported_only_boards()
    {
        var catalog = ReportedBoards.Catalog(Shipped.Value, []);
        var keys = catalog.Select(c => c.Key).ToList();
        foreach (var k in new[] { "reported-nights", "reported-bapps", "reported-roxford", "reported-rparis", "reported-things",
                     "reported-imagenet", "reported-13-zero-shot-classification-datasets-average" })
            Assert.Contains(k, keys);
        // NSFW detection: one board per class the queries are assigned to (S, B, U).
        Assert.Equal(3, keys.Count(k => k.StartsWith("reported-nsfw-deepghs-nsfw-detect-fraction-assigned-to-", StringComparison.Ordinal)));
        Assert.All(catalog, c => Assert.Null(c.BenchmarkId));
        Assert.Equal(keys.Count, keys.Distinct().Count());

        var bapps = Board("reported-bapps");
        Assert.True(bapps.ReportedOnly);
        Assert.Equal(["cnn", "color", "deblur", "frameinterp", "superres", "traditional"], bapps.BreakdownNames);
        Assert.Equal("L∞ ε=4/255", bapps.Header(AccuracyKind.Linf));
        Assert.Equal("L2 ε=3", bapps.Header(AccuracyKind.L2));
        Assert.Contains("100 iterations", bapps.ReportedSetup);
        Assert.All(bapps.Rows, r => Assert.True(r.IsReported));
        Assert.Equal(43 + 2, bapps.Rows.Count); // Table XIV/XV's 43 models, plus the Table I DINO+LoRA and the zero-shot DreamSim ensemble of Table II
    }

    [Fact]
    public void A_reported_row_carries_the_printed_token_and_where_it_comes_from()
    {
        var nights = Board("reported-nights");
        var row = nights.Rows.Single(r => r.Encoder == "R-CLIP_F ConvNeXt-B" && r.FineTuning == "zero-shot");
        Assert.Equal((0.743, 0.661), (Math.Round(row.Linf!.Value, 6), Math.Round(row.L2!.Value, 6)));
        var linf = row.Reported!.Cell(null, AccuracyKind.Linf)!;
        Assert.Equal(("I", "74.3"), (linf.Shown.Table, linf.Shown.ValueText));
        // Tables II, XIII and the 100-iteration point of Table VI print the same number: listed, not a contradiction.
        Assert.Equal(["II", "VI", "XIII"], linf.Others.Select(o => o.Table));
        Assert.False(linf.Contradiction);
        Assert.StartsWith("reported in Table I, arXiv 2502.11725", linf.Tooltip);
        Assert.Equal("Table I, II, VI, XIII · arXiv 2502.11725", row.Reported.Provenance);
        Assert.True(row.IsRobustModel);
        Assert.Equal(["ImageNet subset", "non-ImageNet subset"], nights.BreakdownNames);
        // Ablations at other budgets stay off the board (they are in /api/reported).
        Assert.DoesNotContain(Shipped.Value.Where(r => r.Table == "VI" && !ReportedBoards.OnBoards(r)), r => r.Note.EndsWith("APGD iterations = 100", StringComparison.Ordinal));
        Assert.Equal(10, Shipped.Value.Count(r => !ReportedBoards.OnBoards(r)));

        // Printed tokens survive: two decimals and "-".
        var deblur = Board("reported-bapps").Rows.Single(r => r.Encoder == "R-CLIP_T ConvNeXt-B" && r.FineTuning == "zero-shot").Reported!.Cell("deblur", AccuracyKind.L2)!;
        Assert.Equal("4.30", deblur.Shown.ValueText);
        var ensemble = nights.Rows.Single(r => r.Encoder == "DreamSim (Ensemble) ViT-B/16 (×3)" && r.FineTuning == "zero-shot");
        Assert.Equal("-", ensemble.Reported!.Cell(null, AccuracyKind.Linf)!.Shown.ValueText);
        Assert.Null(ensemble.Linf);
        Assert.Equal(0.908, ensemble.Clean!.Value, 6);
    }

    [Fact]
    public void The_papers_contradictions_show_both_values_and_are_never_resolved()
    {
        var keys = ReportedBoards.Catalog(Shipped.Value, []).Select(c => c.Key);
        var cells = keys.Select(Board).SelectMany(b => b.Rows).SelectMany(r => r.Reported!.Cells.Values).Where(c => c.Contradiction).ToList();
        Assert.Equal(6, cells.Count);
        Assert.All(cells, c => Assert.Equal(2, c.All.Select(v => v.ValueText).Distinct().Count()));

        var bapps = Board("reported-bapps");
        var rclip = bapps.Rows.Single(r => r.Encoder == "R-CLIP_F ViT-B/32" && r.FineTuning == "LoRA on NIGHTS").Reported!.Cell(null, AccuracyKind.L2)!;
        Assert.True(rclip.Contradiction);
        Assert.Equal(("I", "13.9"), (rclip.Shown.Table, rclip.Shown.ValueText));
        Assert.Equal(("XV", "19.9"), (rclip.Others.Single().Table, rclip.Others.Single().ValueText));
        Assert.Contains("Table I prints 13.9; Table XV prints 19.9", rclip.Tooltip);
        Assert.Contains("Note: ", rclip.Tooltip);
        var lipsim = bapps.Rows.Single(r => r.Encoder == "LipSim (Margin_0.2) SLL").Reported!.Cell(null, AccuracyKind.Linf)!;
        Assert.Equal(["5.8", "4.2"], lipsim.All.Select(v => v.ValueText));
        var dreamsim = bapps.Rows.Single(r => r.Encoder == "DreamSim (CLIP) ViT-B/32").Reported!.Cell(null, AccuracyKind.Clean)!;
        Assert.Equal(["69.9", "69.6"], dreamsim.All.Select(v => v.ValueText));
    }

    [Fact]
    public void The_source_filter_picks_reported_measured_or_both()
    {
        var b = Bench(5, "NIGHTS");
        var clip = Encoder(1, "my CLIP");
        var board = LeaderboardBuilder.ForBenchmark(b, [clip], [Result(clip, b, Clean(), 0.8, null)], []);
        var merged = ReportedBoards.Merge(board, b, Shipped.Value, [clip]);
        var reported = merged.Rows.Count(r => r.IsReported);
        Assert.Equal(merged.Rows.Count - 1, reported);
        Assert.True(reported > 40);
        Assert.Equal(merged.Rows.Count, new LeaderboardFilter().Apply(merged.Rows).Count());
        Assert.Equal(merged.Rows.Count, new LeaderboardFilter(Source: LeaderboardFilter.BothSources).Apply(merged.Rows).Count());
        Assert.Equal(reported, new LeaderboardFilter(Source: LeaderboardFilter.ReportedSource).Apply(merged.Rows).Count());
        Assert.Equal(["my CLIP"], new LeaderboardFilter(Source: LeaderboardFilter.MeasuredSource).Apply(merged.Rows).Select(r => r.Encoder));
        // Reported rows have no encoder page: negative ids, distinct for pinning.
        Assert.All(merged.Rows.Where(r => r.IsReported), r => Assert.True(r.EncoderId < 0));
        Assert.Equal(merged.Rows.Count, merged.Rows.Select(r => r.EncoderId).Distinct().Count());
        // The measured NIGHTS board takes NIGHTS' numbers; there is no separate reported NIGHTS board then.
        Assert.DoesNotContain(ReportedBoards.Catalog(Shipped.Value, [b]), c => c.Key == "reported-nights");
        Assert.Contains(ReportedBoards.Catalog(Shipped.Value, [b]), c => c.BenchmarkId == 5 && c.Benchmark == "NIGHTS");
        // The CSV export says which rows are reported and from where.
        var csv = LeaderboardExport.Csv(merged, merged.Rows);
        Assert.Contains(",reported,\"Table I, II, VI, XIII · arXiv 2502.11725\"", csv);
        Assert.Contains(",measured,", csv);
    }

    [Fact]
    public void A_linked_encoder_shows_reported_beside_reproduced_with_the_difference()
    {
        var b = Bench(5, "NIGHTS test");
        var mine = Encoder(7, "our R-CLIP_F ConvNeXt-B", description: "FARE at 4/255");
        mine.ReportedMethod = "R-CLIP_F"; mine.ReportedBackbone = "ConvNeXt-B"; mine.ReportedTraining = "zero-shot";
        var other = Encoder(8, "unlinked");
        var results = new List<ResultRecord> { Result(mine, b, Linf(), 0.90, 0.70), Result(mine, b, L2(), 0.90, 0.68), Result(other, b, Clean(), 0.5, null) };
        var merged = ReportedBoards.Merge(LeaderboardBuilder.ForBenchmark(b, [mine, other], results, []), b, Shipped.Value, [mine, other]);

        var row = merged.Rows.Single(r => r.EncoderId == 7);
        Assert.NotNull(row.Linked);
        Assert.Equal("R-CLIP_F ConvNeXt-B", row.Linked!.Name);
        var linf = row.Linked.Cell(null, AccuracyKind.Linf);
        Assert.Equal("74.3", linf!.Shown.ValueText);
        Assert.Equal(70.0 - 74.3, ReportedModel.Difference(row.Linf, linf)!.Value, 9);
        Assert.Equal(68.0 - 66.1, ReportedModel.Difference(row.L2, row.Linked.Cell(null, AccuracyKind.L2))!.Value, 9);
        Assert.Null(ReportedModel.Difference(null, linf));
        Assert.Null(merged.Rows.Single(r => r.EncoderId == 8).Linked);
        // The reported row itself stays on the board too.
        Assert.Contains(merged.Rows, r => r.IsReported && r.Reported!.Name == "R-CLIP_F ConvNeXt-B" && r.FineTuning == "zero-shot");
        // Breakdown columns of both: the measured splits and the paper's subsets.
        Assert.Equal(["test_imagenet", "test_no_imagenet", "ImageNet subset", "non-ImageNet subset"], merged.BreakdownNames);
    }

    [Fact]
    public void Boards_of_other_metrics_keep_their_threat_models_and_units()
    {
        var imagenet = Board("reported-imagenet");
        // Two L∞ radii: the header takes 4/255, 2/255 is its own column.
        Assert.Equal("4/255", imagenet.LinfEps);
        Assert.Contains("eval (protocol of [43]) · ε=2/255", imagenet.BreakdownNames);
        var things = Board("reported-things");
        Assert.Equal(13, things.Rows.Count);
        Assert.All(things.Rows, r => Assert.Null(r.Linf));
        var nsfw = Board("reported-nsfw-deepghs-nsfw-detect-fraction-assigned-to-s");
        Assert.Equal("8/255", nsfw.LinfEps);
        Assert.Contains("200 iterations", nsfw.ReportedSetup);
        var coco = ReportedBoards.Catalog(Shipped.Value, []).Single(c => c.Benchmark.StartsWith("MS-COCO", StringComparison.Ordinal));
        var inversion = Board(coco.Key);
        Assert.False(inversion.Percentages);
        Assert.All(inversion.Rows, r => Assert.All(r.Breakdown.Values, c => Assert.True(c.Clean is null or <= 1)));
        var rox = Board("reported-roxford");
        Assert.Equal(["M", "H"], rox.BreakdownNames);
        Assert.Equal(17, rox.Rows.Count);
    }
}
