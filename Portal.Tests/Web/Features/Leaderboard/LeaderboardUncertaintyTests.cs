using Bunit;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Features.Leaderboard;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>Issue 15 (items 2, 3): Wilson intervals, ties, attack budgets in headers and cells, cost, hidden empty columns, exports.</summary>
public sealed class LeaderboardUncertaintyTests : ComponentTestContext
{
    [Theory]
    [InlineData(45, 50, 0.786, 0.957)]
    [InlineData(0, 10, 0.000, 0.278)]
    [InlineData(10, 10, 0.722, 1.000)]
    [InlineData(860, 1720, 0.476, 0.524)]
    public void Wilson_matches_known_values(int k, int n, double lo, double hi)
    {
        var ci = Wilson.Of((double)k / n, n)!.Value;
        Assert.Equal(lo, ci.Lo, 3);
        Assert.Equal(hi, ci.Hi, 3);
    }

    [Fact]
    public void Wilson_has_no_interval_without_items()
    {
        Assert.Null(Wilson.Of(0.9, 0));
        Assert.True(new Interval(0.1, 0.3).Overlaps(new Interval(0.3, 0.5)));
        Assert.False(new Interval(0.1, 0.29).Overlaps(new Interval(0.3, 0.5)));
    }

    /// <summary>Three encoders: A and B close (tied at N=100), C far below; C's L∞ run used 10 iterations, the others 100.</summary>
    private static Portal.Web.Features.Leaderboard.Leaderboard Board(int n = 100)
    {
        var b = Bench();
        var a = Encoder(1, "A", family: null, backbone: null); var bb = Encoder(2, "B", family: null, backbone: null); var c = Encoder(3, "C", family: null, backbone: null);
        var results = new List<ResultRecord>
        {
            Result(a, b, Clean(), 0.90, null), Result(a, b, Linf(), 0.90, 0.60),
            Result(bb, b, Clean(), 0.88, null), Result(bb, b, Linf(), 0.88, 0.58),
            Result(c, b, Clean(), 0.80, null), Result(c, b, Linf(iterations: 10), 0.80, 0.10),
        };
        foreach (var r in results) r.N = n;
        results[0].Device = "cuda:0"; results[0].WallSeconds = 300; results[1].Device = "cuda:0"; results[1].WallSeconds = 12;
        // Families are empty (Encoder(...) with no family gives the architecture's, which these have none of).
        foreach (var e in new[] { a, bb, c }) e.Architecture = null;
        return LeaderboardBuilder.ForBenchmark(b, [a, bb, c], results, []);
    }

    [Fact]
    public void Builder_names_the_column_budget_and_keeps_each_cells_own()
    {
        var board = Board();
        Assert.Equal(new AttackBudget(100, 1), board.LinfBudget);
        Assert.Equal("L∞ ε=4/255 · APGD-CE 100 it · 1 restart", board.Header(AccuracyKind.Linf));
        Assert.Null(board.L2Budget);
        var c = board.Rows.Single(r => r.Encoder == "C");
        Assert.Equal(10, c.LinfRun!.Iterations);
        Assert.Equal(100, c.CleanRun!.N);
        var a = board.Rows.Single(r => r.Encoder == "A");
        Assert.Equal(312, a.CostSeconds);
        Assert.Equal(["cuda:0"], a.Devices);
        Assert.Equal(Wilson.Of(0.60, 100), a.Ci(AccuracyKind.Linf));
    }

    [Fact]
    public void Adjacent_rows_with_overlapping_intervals_are_tied_and_far_ones_are_not()
    {
        var board = Board();
        Assert.Equal(["A", "B", "C"], board.Rows.Select(r => r.Encoder));
        var rank = board.Ranking;
        Assert.Equal(new RankInfo(1, null, null), rank[1]);
        Assert.Equal(2, rank[2].Rank);
        Assert.Equal(1, rank[2].TiedWith); // 60 % vs 58 % on 100 items: intervals overlap widely
        Assert.Contains("Wilson", rank[2].TieNote);
        Assert.Null(rank[3].TiedWith);     // 10 % is far below 58 %

        // With a million items the same 2-point gap is significant.
        Assert.Null(Board(1_000_000).Ranking[2].TiedWith);
    }

    [Fact]
    public void Exports_carry_intervals_budgets_cost_and_ties()
    {
        var board = Board();
        var lines = LeaderboardExport.Csv(board, board.Rows).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToList();
        var head = lines[0];
        string Cell(int row, string col) => lines[row][Array.IndexOf(head, col)];
        var ci = Wilson.Of(0.60, 100)!.Value;
        Assert.Equal(ci.Lo, double.Parse(Cell(1, "linf_lo"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ci.Hi, double.Parse(Cell(1, "linf_hi"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("100", Cell(1, "linf_n"));
        Assert.Equal("10", Cell(3, "linf_iterations"));
        Assert.Equal("1", Cell(2, "tied_with_rank"));
        Assert.Equal("312", Cell(1, "device_seconds"));
        Assert.Equal("cuda:0", Cell(1, "devices"));
        Assert.Equal("", Cell(1, "l2_lo"));

        var json = System.Text.Json.JsonSerializer.Serialize(LeaderboardExport.Json(board, board.Rows));
        Assert.Contains("\"linf_lo\":" + ci.Lo.ToString("R", System.Globalization.CultureInfo.InvariantCulture), json);
        Assert.Contains("Wilson", json);
    }

    [Fact]
    public void Grid_headers_explain_themselves_hide_empty_columns_and_mark_weaker_attacks_and_ties()
    {
        var board = Board();
        var cut = Render<LeaderboardGrid>(p => p.Add(x => x.Board, board).Add(x => x.Rows, board.Rows));

        // The robust header names the whole threat model; every header has a tooltip.
        Assert.Contains("L∞ ε=4/255 · APGD-CE 100 it · 1 restart", cut.Find("th.lb-head-linf").TextContent);
        foreach (var th in cut.FindAll("#leaderboard thead th"))
            Assert.False(string.IsNullOrWhiteSpace(th.QuerySelector(".lb-h")?.GetAttribute("title")), $"no tooltip on header '{th.TextContent.Trim()}'");
        Assert.Contains("Wilson", cut.Find("th.lb-head-linf .lb-h").GetAttribute("title"));
        // No L2 number, no family, no parameter count, no paper: those columns are hidden; the new ones are there.
        Assert.Empty(cut.FindAll("th.lb-head-l2"));
        Assert.Empty(cut.FindAll("th.lb-head-family"));
        Assert.Empty(cut.FindAll("th.lb-head-params"));
        Assert.Empty(cut.FindAll("th.lb-head-paper"));
        Assert.Single(cut.FindAll("th.lb-head-cost"));
        Assert.Single(cut.FindAll("th.lb-head-items"));
        // Headers stay sortable with their tooltip templates.
        Assert.NotEmpty(cut.FindAll("th.lb-head-linf .sortable-column-header"));

        // The interval of each measured cell is in its tooltip.
        var linf = cut.FindAll("td.lb-linf .lb-ci");
        Assert.Contains($"95% Wilson interval {Wilson.Of(0.60, 100)} % over N=100 items", linf[0].GetAttribute("title"));
        // C's 10-iteration result is marked, with the reason.
        var mark = cut.Find("td.lb-linf sup.lb-budget");
        Assert.Equal("10 it", mark.TextContent.Trim());
        Assert.StartsWith("10 iterations, fewer than the column's 100", mark.GetAttribute("title"));
        Assert.Single(cut.FindAll("sup.lb-budget"));
        // B is tied with #1; C is not tied.
        Assert.Equal(["≈#1"], cut.FindAll(".lb-tie").Select(e => e.TextContent.Trim()));
        Assert.Equal(["1", "2≈#1", "3"], cut.FindAll("td.lb-rank-cell").Select(e => e.TextContent.Trim()));
        // Cost: A ran 312 s on cuda:0; the others 25 s on cpu.
        Assert.Equal(["312 s on cuda:0", "25 s on cpu", "25 s on cpu"], cut.FindAll("td.lb-cost").Select(e => e.TextContent.Trim()));
    }

    /// <summary>Per-split cells carry their split's own N and interval (tooltips, CSV, JSON), not the whole benchmark's.</summary>
    [Fact]
    public void Split_cells_carry_their_own_interval_in_the_grid_and_the_exports()
    {
        var b = Bench();
        var a = Encoder(1, "A");
        var results = new List<ResultRecord>
        {
            Result(a, b, Clean(), 0.90, null, [(0.92, null), (0.88, null)]),
            Result(a, b, Linf(), 0.90, 0.60, [(0.92, 0.70), (0.88, 0.50)]),
        };
        var board = LeaderboardBuilder.ForBenchmark(b, [a], results, []);
        var cell = board.Rows[0].Cell("test_imagenet");
        Assert.Equal(50, cell.CleanN);
        Assert.Equal(50, cell.LinfN);
        Assert.Null(cell.L2N);
        Assert.Equal(Wilson.Of(0.70, 50), cell.Ci(AccuracyKind.Linf));
        Assert.Null(cell.Ci(AccuracyKind.L2));

        var cut = Render<LeaderboardGrid>(p => p.Add(x => x.Board, board).Add(x => x.Rows, board.Rows).Add(x => x.ShowBreakdown, true));
        var tips = cut.FindAll("td.lb-split .lb-ci").Select(e => e.GetAttribute("title")).ToList();
        Assert.Contains($"95% Wilson interval {Wilson.Of(0.70, 50)} % over N=50 items of test_imagenet", tips);
        Assert.Contains($"95% Wilson interval {Wilson.Of(0.50, 50)} % over N=50 items of test_no_imagenet", tips);

        var lines = LeaderboardExport.Csv(board, board.Rows).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToList();
        string Csv(string col) => lines[1][Array.IndexOf(lines[0], col)];
        Assert.Equal("50", Csv("split:test_imagenet:linf_n"));
        Assert.Equal(Wilson.Of(0.70, 50)!.Value.Lo, double.Parse(Csv("split:test_imagenet:linf_lo"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("", Csv("split:test_imagenet:l2_lo"));
        // The value columns keep their place (scripts reading split:…:linf by name or position still work).
        Assert.Equal("0.7", Csv("split:test_imagenet:linf"));

        var json = System.Text.Json.JsonSerializer.Serialize(LeaderboardExport.Json(board, board.Rows));
        Assert.Contains("\"linf_n\":50,", json);
        Assert.Contains("\"linf_hi\":" + Wilson.Of(0.50, 50)!.Value.Hi.ToString("R", System.Globalization.CultureInfo.InvariantCulture), json);
    }

    [Fact]
    public void Comparison_table_shows_intervals_and_marks_differences_inside_them()
    {
        var board = Board();
        var rows = board.Rows; // A (60 %), B (58 %: inside A's interval at N=100), C (10 %: far)
        var cut = Render<ComparisonTable>(p => p.Add(x => x.Board, board).Add(x => x.Rows, rows));
        var cells = cut.FindAll("tr.comparison-row").Select(tr => tr.QuerySelectorAll("td.comparison-cell").ToList()).ToList();
        Assert.Contains($"95% Wilson interval {Wilson.Of(0.60, 100)} % over N=100 items", cells[0][1].GetAttribute("title"));
        // Only B's L∞ difference to A is inside the intervals; the first row never gets a mark.
        Assert.NotNull(cells[1][1].QuerySelector(".comparison-tied"));
        Assert.Null(cells[2][1].QuerySelector(".comparison-tied"));
        Assert.Null(cells[0][1].QuerySelector(".comparison-tied"));
        Assert.Contains("not significant", cells[1][1].QuerySelector(".comparison-tied")!.GetAttribute("title"));
    }
}
