using Microsoft.Playwright;
using Portal.Tests.Web.Http;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Retrieval;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>
/// The overview at "/" in Chromium on the retrieval demo: its all-tasks table has 2AFC, retrieval mAP and detection-rate
/// columns; a retrieval board sorts, explains its columns and exports the rows it shows; the Chart.js asset the build
/// brought in is served and the scatter chart is drawn.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TaskOverviewBrowserTests(RetrievalBrowserFixture f) : IClassFixture<RetrievalBrowserFixture>
{
    [Fact]
    public void The_build_puts_the_chart_asset_into_the_web_root_and_its_static_asset_manifest()
    {
        var manifest = Directory.GetFiles(AppContext.BaseDirectory, "Portal.Web.staticwebassets.runtime.json").SingleOrDefault();
        Assert.NotNull(manifest);
        Assert.Contains("chart.umd.min.js", File.ReadAllText(manifest));
    }

    private async Task WaitForTaskResults()
    {
        // The retrieval demo's jobs arrive after the 2AFC ones: wait until both task boards have rows.
        var until = DateTime.UtcNow.AddSeconds(300);
        while (true)
        {
            using var http = new HttpClient { BaseAddress = new Uri(f.Portal.BaseUrl) };
            var html = await http.GetStringAsync("/");
            if (html.Contains("task-overview-table") && html.Contains("detection rate (robust)") && html.Contains("mAP H robust")) return;
            if (DateTime.UtcNow > until) throw new TimeoutException("the overview never showed the retrieval and detection columns");
            await Task.Delay(1000);
        }
    }

    [BrowserFact]
    public async Task Overview_shows_every_task_and_a_retrieval_board_sorts_and_exports()
    {
        await WaitForTaskResults();
        var page = await f.NewPage();
        // The interactive view: the test goes on to sort a retrieval board in the same circuit (the static overview: StaticPagesBrowserTests).
        await BrowserFixture.Open(page, "/?interactive=1");
        await page.Locator("#task-overview-table .task-overview-row").First.WaitForAsync();
        var groups = await page.Locator("#task-overview-table th.task-overview-group").AllInnerTextsAsync();
        Assert.Contains("2AFC", groups.Select(g => g.Trim()));
        Assert.Contains(RetrievalDemo.RetrievalName, groups.Select(g => g.Trim()));
        Assert.Contains(RetrievalDemo.DetectionName, groups.Select(g => g.Trim()));
        var heads = (await page.Locator("#task-overview-table th.task-overview-col").AllInnerTextsAsync()).Select(h => h.Trim()).ToList();
        Assert.Contains("mAP M robust", heads);
        Assert.Contains("unsafe→safe detection rate (robust)", heads);
        Assert.DoesNotContain(heads, h => h.Contains("Clean %") || h.Contains("Robust %"));
        Assert.True(await page.Locator("#task-overview-table tbody b").CountAsync() >= heads.Count, "every column has a bold best");
        // The chart asset is served and the scatter is drawn (not the "run npm ci" notice).
        var chart = await page.Context.APIRequest.GetAsync($"{f.Portal.BaseUrl}/lib/chart.umd.min.js");
        Assert.Equal(200, chart.Status);
        await page.WaitForFunctionAsync("() => Number(document.getElementById('leaderboard-scatter')?.dataset.points) > 0");
        Assert.Equal(0, await page.Locator("#chart-unavailable").CountAsync());
        await f.Screenshot(page, "overview-all-tasks");

        await page.Locator("#task-overview-table th.task-overview-group a", new() { HasText = RetrievalDemo.RetrievalName }).ClickAsync();
        await page.Locator("#task-board-table .task-board-row").First.WaitForAsync();
        var head = page.Locator("#task-board-table th[data-column='hard_robust']");
        Assert.Contains("Hard protocol", await head.GetAttributeAsync("title"));
        Assert.Contains("APGD", await head.GetAttributeAsync("title"));
        await head.ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector(\"#task-board-table th[data-column='hard_robust']\").innerText.includes('↓')");
        var cells = (await page.Locator("#task-board-table td[data-column='hard_robust']").AllInnerTextsAsync()).Select(c => c.Trim()).Where(c => c != "–")
            .Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(cells);
        Assert.Equal(cells.OrderDescending(), cells);
        Assert.Contains(cells.Max().ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#task-board-table td[data-column='hard_robust'] b").AllInnerTextsAsync());
        await f.Screenshot(page, "retrieval-board-sorted");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#task-export-csv").ClickAsync());
        var path = Path.Combine(f.ScreenshotDir, "retrieval-board-export.csv");
        await download.SaveAsAsync(path);
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        Assert.Contains("hard_robust", header);
        var rows = await page.Locator("#task-board-table .task-board-row").CountAsync();
        Assert.Equal(rows, lines.Length - 1);
        var csvHard = lines.Skip(1).Select(l => l.Split(',')[Array.IndexOf(header, "hard_robust")]).Where(v => v != "")
            .Select(v => Math.Round(double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) * 100, 1)).ToList();
        Assert.Equal(cells, csvHard);
        await page.Context.CloseAsync();
    }
}
