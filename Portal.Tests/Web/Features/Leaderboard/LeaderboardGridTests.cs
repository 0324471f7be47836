using Bunit;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Leaderboard;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Progress;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>The leaderboard grid: one decimal percentages, best per column bold, ε headers, split columns, pins, live progress.</summary>
public sealed class LeaderboardGridTests : ComponentTestContext
{
    private static Portal.Web.Features.Leaderboard.Leaderboard Board()
    {
        var b = Bench();
        var clip = Encoder(1, "CLIP"); var fare = Encoder(2, "FARE", description: "FARE"); var pending = Encoder(3, "Pending");
        var results = new List<ResultRecord>
        {
            Result(clip, b, Clean(), 0.9012, null, [(0.95, null), (0.85, null)]), Result(clip, b, Linf(), 0.9012, 0.0456, [(0.95, 0.05), (0.85, 0.04)]),
            Result(fare, b, Clean(), 0.8765, null, [(0.90, null), (0.85, null)]), Result(fare, b, Linf(), 0.8765, 0.7049, [(0.72, 0.71), (0.70, 0.69)]),
        };
        var job = new JobRecord { Id = 9, EncoderId = 3, DatasetId = 1, Preset = "clean", Status = JobStatus.Running, Done = 10, Total = 40 };
        return LeaderboardBuilder.ForBenchmark(b, [clip, fare, pending], results, [job]);
    }

    private static string[] Texts(IRenderedComponent<LeaderboardGrid> cut, string selector) =>
        cut.FindAll(selector).Select(e => e.TextContent.Trim()).ToArray();

    [Fact]
    public void Shows_percentages_with_one_decimal_and_bolds_the_best_of_each_column()
    {
        var board = Board();
        var cut = Render<LeaderboardGrid>(p => p.Add(x => x.Board, board).Add(x => x.Rows, board.Rows));

        Assert.Equal(["FARE", "CLIP", "Pending"], Texts(cut, "tr.lb-row .lb-encoder"));
        Assert.Equal(["87.7", "90.1", "–"], Texts(cut, "td.lb-clean"));
        Assert.Equal(["70.5", "4.6", "–"], Texts(cut, "td.lb-linf"));
        Assert.Equal(["90.1"], Texts(cut, "td.lb-clean b"));
        Assert.Equal(["70.5"], Texts(cut, "td.lb-linf b"));
        Assert.Empty(cut.FindAll("td.lb-l2 b"));
        Assert.Contains("L∞ ε=4/255", cut.Find("th.lb-head-linf").TextContent);
        // No row has an L2 number: the column is hidden rather than a column of dashes.
        Assert.Empty(cut.FindAll("th.lb-head-l2"));
        Assert.Empty(cut.FindAll("td.lb-split"));
    }

    [Fact]
    public void Split_columns_appear_when_expanded_with_their_own_best()
    {
        var board = Board();
        var cut = Render<LeaderboardGrid>(p => p.Add(x => x.Board, board).Add(x => x.Rows, board.Rows).Add(x => x.ShowBreakdown, true));
        var heads = Texts(cut, "th.lb-split-head");
        // Two splits × (clean, L∞); no L2 column because no row has an L2 number.
        Assert.Equal(4, heads.Length);
        Assert.Contains(heads, h => h.Contains("test_imagenet · L∞"));
        Assert.Contains("95.0", Texts(cut, "td.lb-split b"));
        Assert.Contains("71.0", Texts(cut, "td.lb-split b"));
    }

    [Fact]
    public void Pins_mark_rows_and_report_clicks()
    {
        var board = Board();
        LeaderboardRow? clicked = null;
        var cut = Render<LeaderboardGrid>(p => p.Add(x => x.Board, board).Add(x => x.Rows, board.Rows)
            .Add(x => x.Pinned, new HashSet<int> { 1 }).Add(x => x.PinToggled, r => clicked = r));
        Assert.Contains("CLIP", cut.Find("tr.lb-pinned").TextContent);
        cut.FindAll("button.lb-pin")[0].Click();
        Assert.Equal("FARE", clicked?.Encoder);
    }

    [Fact]
    public void Running_rows_show_live_progress_from_messages()
    {
        var board = Board();
        var cut = Render<LeaderboardGrid>(p => p.Add(x => x.Board, board).Add(x => x.Rows, board.Rows));
        Assert.Equal("25", cut.Find("#lb-job-9").GetAttribute("data-percent"));
        var live = new Dictionary<int, JobProgressMessage> { [9] = new(9, "running", "evaluating", 30, 40, 0.5, null, 12, null, null) };
        cut.Render(p => p.Add(x => x.Live, live));
        Assert.Equal("75", cut.Find("#lb-job-9").GetAttribute("data-percent"));
        Assert.Contains("running 75%", cut.Find("#lb-job-9").TextContent);
    }

    [Fact]
    public void An_empty_selection_says_what_to_do()
    {
        var board = Board();
        var cut = Render<LeaderboardGrid>(p => p.Add(x => x.Board, board).Add(x => x.Rows, new List<LeaderboardRow>()));
        Assert.Contains("submit an encoder", cut.Markup);
    }
}
