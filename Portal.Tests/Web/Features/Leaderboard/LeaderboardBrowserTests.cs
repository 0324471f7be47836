using System.Globalization;
using Microsoft.Playwright;
using Portal.Tests.Web.Http;
using Portal.Tests.Web.Support;
using Portal.Web.Components;
using Portal.Web.Features.Leaderboard;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>
/// An anonymous visitor in a real browser: the leaderboard shows the demo's real results, sorts, and exports what it shows.
/// Anonymous visitors get the static board first (StaticPagesBrowserTests); sorting by any column is on its interactive view.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LeaderboardBrowserTests(BrowserFixture f)
{
    /// <summary>What a grid row shows, read from the page.</summary>
    internal sealed record GridRow(string Encoder, string Clean, string Linf, string L2);

    internal static async Task<List<GridRow>> ReadGrid(IPage page)
    {
        var rows = new List<GridRow>();
        foreach (var tr in await page.Locator("#leaderboard tbody tr.lb-row").AllAsync())
            rows.Add(new GridRow(
                (await tr.Locator(".lb-encoder").InnerTextAsync()).Trim(), (await tr.Locator("td.lb-clean").InnerTextAsync()).Trim(),
                await Text(tr, "td.lb-linf"), await Text(tr, "td.lb-l2")));
        return rows;
    }

    /// <summary>A cell's text; "–" when its column is hidden (no row has a number there).</summary>
    private static async Task<string> Text(ILocator tr, string selector) =>
        await tr.Locator(selector).CountAsync() == 0 ? "–"
        // The number only: a measured cell may carry a mark after it (a weaker attack budget, an audit).
        : (await tr.Locator(selector).EvaluateAsync<string>("e => { const v = e.querySelector('.lb-ci'); return v ? v.firstChild.textContent : e.innerText; }")).Trim();

    internal static double? Value(string cell) => cell == "–" ? null : double.Parse(cell, CultureInfo.InvariantCulture);

    private static async Task SortBy(IPage page, string headClass)
    {
        var before = await ReadGrid(page);
        await page.Locator($"#leaderboard th.{headClass} .sortable-column-header").First.ClickAsync();
        // Re-rendering is asynchronous over the circuit: wait for the order to reflect the click.
        await page.WaitForFunctionAsync("([sel, n]) => document.querySelectorAll(sel).length === n", new object[] { "#leaderboard tbody tr.lb-row", before.Count });
        await page.WaitForTimeoutAsync(300);
    }

    [BrowserFact]
    public async Task Anonymous_visitor_opens_the_leaderboard_and_sorts_it()
    {
        var page = await f.NewPage();
        // The static board (no circuit) links to its interactive view, where headers sort.
        await page.GotoAsync("/leaderboards/1");
        Assert.Equal("false", await page.Locator("#interactive-marker").GetAttributeAsync("data-interactive"));
        await page.Locator("#open-interactive").ClickAsync();
        await page.Locator("#interactive-marker[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Equal("Demo 2AFC (procedural)", (await page.Locator("#leaderboard-title").InnerTextAsync()).Trim());
        var rows = await ReadGrid(page);
        Assert.Contains(rows, r => r.Encoder == "Pixel L2");
        Assert.Contains(rows, r => r.Encoder == "SSIM");
        Assert.All(rows, r => Assert.NotNull(Value(r.Clean)));
        // Headers carry the ε of the robust columns: on the demo board its own threat model, and the notice says it is not the paper's.
        Assert.Contains("ε=1/255", await page.Locator("#leaderboard th.lb-head-linf").InnerTextAsync());
        var notice = await page.Locator("#demo-notice").InnerTextAsync();
        Assert.Contains("demo data", notice);
        Assert.Contains("L∞ ε=1/255, the demo's own threat model — not the paper's 4/255", notice);

        await SortBy(page, "lb-head-clean");
        var first = (await ReadGrid(page)).Select(r => Value(r.Clean)!.Value).ToList();
        await SortBy(page, "lb-head-clean");
        var second = (await ReadGrid(page)).Select(r => Value(r.Clean)!.Value).ToList();
        // One click sorts one way, the next the other way; both orders are monotone in the clean column.
        var asc = first.Order().ToList();
        var desc = first.OrderDescending().ToList();
        Assert.True(first.SequenceEqual(asc) || first.SequenceEqual(desc), $"not sorted: {string.Join(", ", first)}");
        Assert.Equal(first.SequenceEqual(asc) ? desc : asc, second);
        Assert.Contains(await page.Locator("#leaderboard tbody b").AllInnerTextsAsync(), t => t == second.Max().ToString("0.0", CultureInfo.InvariantCulture));
        await f.Screenshot(page, "leaderboard-sorted");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Robust_header_names_the_attack_budget_and_cells_carry_their_interval()
    {
        var page = await f.NewPage();
        await page.GotoAsync("/leaderboards/1"); // static for an anonymous visitor: headers and intervals are plain HTML
        var head = await page.Locator("#leaderboard th.lb-head-linf").InnerTextAsync();
        Assert.Matches(@"L∞ ε=1/255 · APGD-CE \d+ it · \d+ restart", head);
        Assert.Contains("Wilson", await page.Locator("#leaderboard th.lb-head-linf .lb-h").GetAttributeAsync("title"));
        var tip = await page.Locator("#leaderboard td.lb-clean .lb-ci").First.GetAttributeAsync("title");
        Assert.Matches(@"95% Wilson interval \d+\.\d–\d+\.\d % over N=\d+ items", tip);
        Assert.Contains("Wilson score interval", await page.Locator("#leaderboard-caption").InnerTextAsync());
        await f.Screenshot(page, "leaderboard-columns");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Csv_export_downloads_the_rows_the_grid_shows()
    {
        var page = await f.NewPage();
        await BrowserFixture.Open(page, "/leaderboards/1?interactive=1"); // the static board's CSV link is the API's whole table
        await SortBy(page, "lb-head-clean");
        var grid = await ReadGrid(page);
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename);
        var path = Path.Combine(f.ScreenshotDir, "leaderboard-export.csv");
        await download.SaveAsAsync(path);
        var lines = File.ReadAllLines(path);
        var head = lines[0].Split(',');
        int Col(string prefix) => Array.FindIndex(head, h => h.StartsWith(prefix, StringComparison.Ordinal));
        var csv = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(grid.Count, csv.Count);
        for (var i = 0; i < grid.Count; i++)
        {
            Assert.Equal(grid[i].Encoder, csv[i][Array.IndexOf(head, "encoder")]);
            Assert.Equal(grid[i].Clean, Format(csv[i][Col("clean")]));
            Assert.Equal(grid[i].Linf, Format(csv[i][Col("linf_")]));
            Assert.Equal(grid[i].L2, Format(csv[i][Col("l2_")]));
        }
        await f.Screenshot(page, "leaderboard-export");
        await page.Context.CloseAsync();
    }

    private static string Format(string csvValue) =>
        Percent.Format(csvValue == "" ? null : double.Parse(csvValue, CultureInfo.InvariantCulture));
}
