using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Export;
using Portal.Web.Features.Leaderboard;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Features.Retrieval;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>Retrieval/detection boards as columns (labels, tooltips, sort, best, export) and the overview's all-tasks rows.</summary>
public sealed class TaskOverviewTests
{
    private static BenchmarkRecord Task(int id, string name, TaskKind kind, string splits) => new()
    {
        Id = id, Name = name, TaskKind = kind, Format = kind == TaskKind.Retrieval ? "roxford5k" : "detection", DatasetRoot = "/d", Split = "test",
        Splits = splits, ItemCount = 70, VersionHash = $"v{id}",
    };

    private static ResultRecord WithSplits(ResultRecord r, params (string Name, double Clean, double? Robust)[] splits)
    {
        r.Splits = splits.Select(s => new ResultSplit { Name = s.Name, N = 10, CleanValue = s.Clean, RobustValue = s.Robust }).ToList();
        return r;
    }

    private static readonly EncoderRecord Clip = Encoder(1, "CLIP"), Fare = Encoder(2, "FARE-CLIP"), Pixel = Encoder(3, "Pixel L2");
    private static readonly BenchmarkRecord Oxford = Task(10, "ROxford", TaskKind.Retrieval, "medium,hard"), Nsfw = Task(11, "NSFW", TaskKind.Detection, "safe,unsafe");

    private static List<TaskBoardRow> OxfordRows() =>
    [
        new(Clip, WithSplits(Result(Clip, Oxford, Clean(), 0.60, null), ("medium", 0.60, null), ("hard", 0.35, null)),
            WithSplits(Result(Clip, Oxford, Linf(iterations: 50), 0.60, 0.02), ("medium", 0.60, 0.02), ("hard", 0.35, 0.01))),
        new(Fare, WithSplits(Result(Fare, Oxford, Clean(), 0.55, null), ("medium", 0.55, null), ("hard", 0.30, null)),
            WithSplits(Result(Fare, Oxford, Linf(iterations: 50), 0.55, 0.40), ("medium", 0.55, 0.40), ("hard", 0.30, 0.20))),
        new(Pixel, WithSplits(Result(Pixel, Oxford, Clean(), 0.10, null), ("medium", 0.10, null), ("hard", 0.05, null)), null),
    ];

    private static List<TaskBoardRow> NsfwRows() =>
    [
        new(Clip, null, WithSplits(Result(Clip, Nsfw, Linf(iterations: 50), 0.9, 0.1), ("safe", 0.95, 0.3), ("unsafe", 0.85, 0.05))),
        new(Fare, null, WithSplits(Result(Fare, Nsfw, Linf(iterations: 50), 0.9, 0.7), ("safe", 0.92, 0.8), ("unsafe", 0.88, 0.75))),
    ];

    [Fact]
    public void Retrieval_columns_are_map_per_protocol_with_their_threat_model_and_detection_columns_are_detection_rates()
    {
        var t = TaskBoardTable.Build(Oxford, OxfordRows());
        Assert.Equal(["mAP M clean", "mAP H clean", "mAP M robust", "mAP H robust"], t.Columns.Select(c => c.Header));
        Assert.Contains("Hard protocol", t.Columns[1].Tooltip);
        Assert.Contains("L∞ 4/255 · APGD 50", t.Columns[3].Tooltip);
        Assert.DoesNotContain("L∞", t.Columns[0].Tooltip);
        Assert.DoesNotContain(t.Columns, c => c.Header.Contains('%'));

        var d = TaskBoardTable.Build(Nsfw, NsfwRows());
        Assert.Equal(["detection rate safe clean", "detection rate unsafe clean", "detection rate safe robust", "detection rate unsafe robust"], d.Columns.Select(c => c.Header));
        Assert.Contains("Eq. 5", d.Columns[3].Tooltip);
        // With no clean-only result the attacked run's clean numbers stand in.
        Assert.Equal(0.85, TaskBoardTable.Value(d.Rows[0], d.Columns[1]));
    }

    [Fact]
    public void Sorting_orders_by_the_column_keeps_missing_values_last_and_best_is_the_column_maximum()
    {
        var t = TaskBoardTable.Build(Oxford, OxfordRows());
        Assert.Equal(["FARE-CLIP", "CLIP", "Pixel L2"], t.Sorted("hard_robust", descending: true).Select(r => r.Encoder.DisplayName));
        Assert.Equal(["CLIP", "FARE-CLIP", "Pixel L2"], t.Sorted("hard_robust", descending: false).Select(r => r.Encoder.DisplayName));
        Assert.Equal(["Pixel L2", "FARE-CLIP", "CLIP"], t.Sorted("medium_clean", descending: false).Select(r => r.Encoder.DisplayName));
        Assert.Equal(0.60, t.Best(t.Columns[0]));
        Assert.Equal(0.40, t.Best(t.Columns[2]));
    }

    [Fact]
    public void Export_writes_each_column_with_full_precision_in_the_order_shown()
    {
        var t = TaskBoardTable.Build(Oxford, OxfordRows());
        var rows = t.Sorted("medium_robust", true);
        var csv = TableExport.Csv(t.ExportColumns, t.ExportRows(rows)).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToList();
        Assert.Equal(["rank", "encoder_id", "encoder", "medium_clean", "hard_clean", "medium_robust", "hard_robust", "attack", "clean_result_id", "attacked_result_id"], csv[0]);
        Assert.Equal(["1", "2", "FARE-CLIP", "0.55", "0.3", "0.4", "0.2"], csv[1][..7]);
        Assert.Equal("", csv[3][5]); // Pixel L2 has no attacked result
        var objects = TableExport.Objects(t.ExportColumns, t.ExportRows(rows));
        Assert.Equal(0.02, objects[1]["medium_robust"]);
        Assert.Equal("task-board-roxford.json", TableExport.FileName("task-board", "ROxford", "10", "json"));
    }

    [Fact]
    public void Overview_puts_2afc_retrieval_and_robust_unsafe_detection_side_by_side_per_encoder()
    {
        var twoAfcBench = Bench();
        var board = LeaderboardBuilder.ForBenchmark(twoAfcBench, [Clip, Fare],
            [Result(Clip, twoAfcBench, Linf(), 0.90, 0.05), Result(Fare, twoAfcBench, Linf(), 0.87, 0.70)], []);
        var o = TaskOverview.Build(board, [new(Nsfw, NsfwRows()), new(Oxford, OxfordRows())]);

        Assert.Equal(["2AFC", "2AFC", "ROxford", "ROxford", "ROxford", "ROxford", "NSFW"], o.Columns.Select(c => c.Group));
        Assert.Equal("unsafe→safe detection rate (robust)", o.Columns[^1].Header);
        Assert.Equal("/retrieval/11", o.Columns[^1].Href);
        Assert.Equal("mAP H robust", o.Columns[5].Header);
        Assert.Equal(["CLIP", "FARE-CLIP", "Pixel L2"], o.Rows.Select(r => r.Encoder));
        var fare = o.Rows[1];
        Assert.Equal([0.87, 0.70, 0.55, 0.30, 0.40, 0.20, 0.75], fare.Values.Select(v => v!.Value));
        // Pixel L2 has no 2AFC or detection result: those cells are empty, not zero.
        Assert.Equal([null, null, 0.10, 0.05, null, null, null], o.Rows[2].Values);
        Assert.Equal(0.75, o.Best(6));
    }
}
