using Microsoft.Playwright;
using Portal.Tests.Web.Features.Leaderboard;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Http;

/// <summary>
/// What an anonymous visitor gets without a circuit (issue 15, item 11; docs/measurements.md, “Read pages for a crowd”): the board's filters as a
/// GET form, its chart drawn by js/static-pages.js, the queue's tabs and pages as links; a signed-in researcher still gets
/// the interactive pages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StaticPagesBrowserTests(BrowserFixture f)
{
    private static async Task<bool> Interactive(IPage page) => await page.Locator("#interactive-marker").GetAttributeAsync("data-interactive") == "true";

    [BrowserFact]
    public async Task Anonymous_board_filters_by_query_string_and_draws_its_chart_without_a_circuit()
    {
        var page = await f.NewPage();
        var sockets = 0;
        page.WebSocket += (_, _) => sockets++;
        await page.GotoAsync("/leaderboards/1");
        Assert.False(await Interactive(page));
        var rows = await LeaderboardBrowserTests.ReadGrid(page);
        Assert.Contains(rows, r => r.Encoder == "SSIM");
        Assert.Contains(rows, r => r.Encoder == "Pixel L2");
        // Ordered by L∞ robust accuracy, best first (the interactive grid's initial sort).
        var linf = rows.Select(r => LeaderboardBrowserTests.Value(r.Linf) ?? -1).ToList();
        Assert.Equal(linf.OrderDescending(), linf);
        await page.WaitForFunctionAsync("() => Number(document.getElementById('leaderboard-scatter')?.dataset.points) > 0");
        await f.Screenshot(page, "static-board");

        // Dark mode without a circuit: the toggle applies the dark palette and the choice survives a reload.
        const string background = "() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background').trim()";
        var light = await page.EvaluateAsync<string>(background);
        await page.Locator("#dark-mode-toggle").ClickAsync();
        await page.Locator("style#static-dark-style").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.ReloadAsync();
        await page.Locator("style#static-dark-style").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.NotEqual(light, await page.EvaluateAsync<string>(background));
        await f.Screenshot(page, "static-board-dark");
        await page.Locator("#dark-mode-toggle").ClickAsync();
        Assert.Equal(0, await page.Locator("style#static-dark-style").CountAsync());

        // The search is a GET form: the filtered board is a URL (and a cached page).
        await page.Locator("#static-search").FillAsync("SSIM");
        await page.Locator("#static-apply").ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("search=SSIM"));
        var filtered = await LeaderboardBrowserTests.ReadGrid(page);
        Assert.Equal(["SSIM"], filtered.Select(r => r.Encoder));
        Assert.Equal("SSIM", await page.Locator("#static-search").InputValueAsync());
        Assert.Contains("search=SSIM", await page.Locator("#export-csv").GetAttributeAsync("href"));
        Assert.Equal(0, sockets);

        // The queue: tabs are links, nothing runs once the demo finished.
        await page.GotoAsync("/queue");
        Assert.False(await Interactive(page));
        await page.Locator("#queue-tabs a", new() { HasText = "All" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("tab=all"));
        Assert.True(await page.Locator("#jobs tbody tr").CountAsync() > 0);
        await f.Screenshot(page, "static-queue");
        Assert.Equal(0, sockets);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Signed_in_researcher_still_gets_the_interactive_board_and_queue()
    {
        var (user, password) = await f.CreateResearcher();
        var page = await f.NewPage();
        await BrowserFixture.SignIn(page, user, password);
        await BrowserFixture.Open(page, "/leaderboards/1");
        Assert.Equal(0, await page.Locator("#static-filters").CountAsync());
        Assert.True(await page.Locator("#leaderboard .lb-pin").CountAsync() > 0);
        await BrowserFixture.Open(page, "/queue");
        Assert.Equal(0, await page.Locator("#queue-tabs").CountAsync());
        await page.Context.CloseAsync();
    }
}
