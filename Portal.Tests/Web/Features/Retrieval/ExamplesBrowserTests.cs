using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Data.Accounts;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Retrieval;

namespace Portal.Tests.Web.Features.Retrieval;

/// <summary>
/// The retrieval/detection pages in Chromium on the live portal's first-start demo: step through a retrieval result's
/// adversarial examples, compare one query across the demo encoders, and see the detection demo's unsafe images
/// blurred as an anonymous visitor (the raw URL refused) and revealed after signing in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ExamplesBrowserTests(RetrievalBrowserFixture f) : IClassFixture<RetrievalBrowserFixture>
{
    private async Task<List<JsonElement>> DemoResults(string benchmark)
    {
        using var http = new HttpClient { BaseAddress = new Uri(f.Portal.BaseUrl) };
        var until = DateTime.UtcNow.AddSeconds(300);
        while (true)
        {
            var benches = await http.GetFromJsonAsync<JsonElement>("/api/benchmarks");
            var bench = benches.EnumerateArray().FirstOrDefault(b => b.GetProperty("name").GetString() == benchmark);
            if (bench.ValueKind == JsonValueKind.Object)
            {
                var results = (await http.GetFromJsonAsync<JsonElement>($"/api/results?benchmarkId={bench.GetProperty("id").GetInt32()}")).EnumerateArray().ToList();
                if (results.Count >= 6) return results;
            }
            if (DateTime.UtcNow > until) throw new TimeoutException($"the demo's {benchmark} results did not appear");
            await Task.Delay(300);
        }
    }

    private static JsonElement Attacked(List<JsonElement> results, string encoder) =>
        results.First(r => r.GetProperty("config").GetProperty("attack").GetString() == "apgd" && r.GetProperty("encoder").GetString() == encoder);

    [BrowserFact]
    public async Task Visitor_steps_through_retrieval_examples_and_compares_encoders()
    {
        var results = await DemoResults(RetrievalDemo.RetrievalName);
        var clip = Attacked(results, DemoEncoders.CleanName).GetProperty("id").GetInt32();

        var page = await f.NewPage();
        await BrowserFixture.Open(page, "/retrieval");
        await page.Locator("#task-board-table .task-board-row").First.WaitForAsync();
        Assert.Equal(3, await page.Locator("#task-board-table .task-board-row").CountAsync());
        // The demo's task board says it is demo data, as the 2AFC boards and galleries do.
        Assert.Contains("demo data: procedural images, tiny encoders", await page.Locator("#demo-notice").InnerTextAsync());
        await f.Screenshot(page, "retrieval-leaderboard");

        await BrowserFixture.Open(page, $"/results/{clip}/examples");
        await Expect(page.Locator("#ex-position"), "Example 1 of 7");
        Assert.Equal(5, await page.Locator(".ex-neighbour.ex-clean").CountAsync());
        Assert.Equal(5, await page.Locator(".ex-neighbour.ex-attacked").CountAsync());
        Assert.Equal(1, await page.Locator(".ex-perturbation img").CountAsync());
        await AllImagesLoaded(page);
        var first = await page.Locator("#ex-query-id").InnerTextAsync();
        await f.Screenshot(page, "retrieval-examples-1");

        await page.ClickAsync("#ex-next");
        await Expect(page.Locator("#ex-position"), "Example 2 of 7");
        Assert.NotEqual(first, await page.Locator("#ex-query-id").InnerTextAsync());
        await page.ClickAsync("#ex-next");
        await Expect(page.Locator("#ex-position"), "Example 3 of 7");
        await AllImagesLoaded(page);
        await f.Screenshot(page, "retrieval-examples-3");
        await page.ClickAsync("#ex-prev");
        await Expect(page.Locator("#ex-position"), "Example 2 of 7");
        var query = await page.Locator("#ex-query-id").InnerTextAsync();

        await page.ClickAsync("#compare-link");
        await page.WaitForURLAsync(u => u.Contains("/compare/examples"));
        await page.Locator("#interactive-marker[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.Locator(".cmp-block").Nth(2).WaitForAsync();
        Assert.Equal(3, await page.Locator(".cmp-block").CountAsync());
        Assert.Equal(query, await page.Locator("#cmp-query-id").InnerTextAsync());
        var encoders = await page.Locator(".cmp-encoder").AllInnerTextsAsync();
        Assert.Contains(DemoEncoders.FareName, encoders);
        Assert.Contains(DemoEncoders.CleanName, encoders);
        await AllImagesLoaded(page);
        await f.Screenshot(page, "retrieval-compare");
        await page.ClickAsync("#cmp-next");
        await page.WaitForFunctionAsync("q => document.querySelector('#cmp-query-id').innerText !== q", query);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Anonymous_sees_sensitive_detection_images_blurred_and_a_researcher_reveals_them()
    {
        var results = await DemoResults(RetrievalDemo.DetectionName);
        var det = Attacked(results, DemoEncoders.CleanName);
        int id = det.GetProperty("id").GetInt32(), job = det.GetProperty("job_id").GetInt32();
        var evidence = Path.Combine(f.Portal.DataRoot, "artifacts", "jobs", job.ToString(System.Globalization.CultureInfo.InvariantCulture), "evidence");

        var page = await f.NewPage();
        await BrowserFixture.Open(page, $"/results/{id}/examples");
        // Step to an example whose query is unsafe (sensitive).
        for (int i = 0; i < 24 && await page.Locator(".ex-query img[data-sensitive='true']").CountAsync() == 0; i++)
            await page.ClickAsync("#ex-next");
        var img = page.Locator(".ex-query img[data-sensitive='true']");
        await img.WaitForAsync();
        Assert.Equal(0, await page.Locator(".ex-reveal").CountAsync());
        Assert.True(await page.Locator(".ex-locked").CountAsync() > 0);
        await AllImagesLoaded(page);
        await f.Screenshot(page, "detection-examples-anonymous");

        // What the browser received is not the file; asking for the original is refused.
        var src = await img.GetAttributeAsync("src");
        Assert.DoesNotContain("reveal", src);
        var served = await (await page.APIRequest.GetAsync(src!)).BodyAsync();
        var rel = Uri.UnescapeDataString(src!.Split($"/{id}/", 2)[1]);
        var raw = await File.ReadAllBytesAsync(Path.Combine(evidence, rel));
        Assert.NotEqual(raw, served);
        var refused = await page.APIRequest.GetAsync(src + "?reveal=1");
        Assert.Equal((int)HttpStatusCode.Unauthorized, refused.Status);
        Assert.NotEqual(raw, await refused.BodyAsync());
        await page.Context.CloseAsync();

        // A signed-in researcher clicks "reveal" and gets the original bytes.
        var signed = await f.NewPage();
        await BrowserSignIn.SignInAsync(signed, f.Portal.Services, Roles.Researcher, $"/results/{id}/examples?query={Uri.EscapeDataString(rel)}");
        await BrowserFixture.Open(signed, $"/results/{id}/examples");
        for (int i = 0; i < 24 && await signed.Locator(".ex-query img[data-sensitive='true']").CountAsync() == 0; i++)
            await signed.ClickAsync("#ex-next");
        await signed.Locator(".ex-query .ex-reveal").ClickAsync();
        var revealed = signed.Locator(".ex-query img[data-sensitive='true']");
        await signed.WaitForFunctionAsync("() => document.querySelector(\".ex-query img[data-sensitive='true']\").src.includes('reveal=1')");
        var rsrc = await revealed.GetAttributeAsync("src");
        var rbytes = await (await signed.APIRequest.GetAsync(rsrc!)).BodyAsync();
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(evidence, Uri.UnescapeDataString(rsrc!.Split($"/{id}/", 2)[1].Split('?')[0]))), rbytes);
        await AllImagesLoaded(signed);
        await f.Screenshot(signed, "detection-examples-revealed");
        await signed.Context.CloseAsync();
    }

    private static async Task Expect(ILocator locator, string text)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((await locator.InnerTextAsync()).Trim() != text)
        {
            if (DateTime.UtcNow > until) Assert.Equal(text, (await locator.InnerTextAsync()).Trim());
            await Task.Delay(50);
        }
    }

    private static Task AllImagesLoaded(IPage page) =>
        page.WaitForFunctionAsync("() => [...document.querySelectorAll('img.ex-img')].every(i => i.complete && i.naturalWidth > 0)");
}
