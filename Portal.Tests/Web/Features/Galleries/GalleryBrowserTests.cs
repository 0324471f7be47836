using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data.Accounts;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Galleries;

namespace Portal.Tests.Web.Features.Galleries;

/// <summary>
/// A researcher in a real browser: the demo encoder's gallery shows originals beside reconstructions, the cross-encoder
/// view shows both demo encoders and the Table VII heat-map, and a text inversion requested for a new prompt appears in
/// the prompt × encoder grid without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GalleryBrowserTests(BrowserFixture f)
{
    /// <summary>Waits until the demo's two feature inversions are finished (queued once the demo encoders are validated).</summary>
    private async Task<List<GalleryResult>> DemoInversions()
    {
        var q = f.Portal.Services.GetRequiredService<GalleryQueries>();
        var until = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var results = await q.ResultsAsync(kind: Portal.Data.Entities.TaskKind.FeatureInversion);
            if (results.Count >= 2) return results;
            if (DateTime.UtcNow > until) throw new TimeoutException($"demo inversions not finished: {results.Count} of 2");
            await Task.Delay(250);
        }
    }

    /// <summary>The ViT-B/32 mini fixture (image + text tower) registered in place, and a text gallery with a tiny vocabulary.</summary>
    private async Task<EncoderRecord> TextReadyEncoder()
    {
        var services = f.Portal.Services;
        var reg = await services.GetRequiredService<EncoderRegistry>().RegisterServerFileAsync(GalleryTestData.ClipWithTextTower(),
            new EncoderMetadata { Name = "ViT-B/32 mini (text)" }, CancellationToken.None);
        var q = services.GetRequiredService<GalleryQueries>();
        var until = DateTime.UtcNow.AddMinutes(1);
        EncoderRecord? e;
        while ((e = await q.EncoderAsync(reg.Encoder.Id))!.Status == EncoderStatus.Validating && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Equal(EncoderStatus.Ready, e.Status);
        var vocab = GalleryTestData.TinyVocabulary(Path.Combine(f.Portal.DataRoot, "e2e-vocab"));
        await services.GetRequiredService<GalleryService>().DefineAsync(new GalleryRequest("E2E text gallery", "text", Prompts: ["the cat"],
            Vocabulary: vocab, Seeds: [0], Iterations: 4, TextHeads: 2), false, CancellationToken.None);
        return e;
    }

    /// <summary>Every image of the selector has loaded (waits up to 20 s: on a loaded machine the artifacts arrive after
    /// the grid is drawn); false if some never do (a broken link or a refused artifact).</summary>
    private static async Task<bool> ImagesLoaded(IPage page, string selector)
    {
        try
        {
            await page.WaitForFunctionAsync("sel => { const im = [...document.querySelectorAll(sel)]; return im.length > 0 && im.every(i => i.complete && i.naturalWidth > 0); }",
                selector, new PageWaitForFunctionOptions { Timeout = 20_000 });
            return true;
        }
        catch (PlaywrightException) { return false; }   // its timeout (Microsoft.Playwright.TimeoutException) is one
    }

    [BrowserFact]
    public async Task Researcher_browses_galleries_compares_encoders_and_watches_a_text_inversion_appear()
    {
        var inversions = await DemoInversions();
        var clean = inversions.Select(r => r.Encoder).First(e => e.DisplayName.Contains("clean"));
        var vit = await TextReadyEncoder();

        var page = await f.NewPage();
        await BrowserSignIn.SignInAsync(page, f.Portal.Services, Roles.Researcher, $"/encoders/{clean.Id}/gallery");
        await BrowserFixture.Open(page, $"/encoders/{clean.Id}/gallery");

        // Per-encoder gallery: one row per target, the original then one reconstruction per seed, all images served.
        Assert.Contains(clean.DisplayName, await page.Locator("#gallery-title").InnerTextAsync());
        var rows = page.Locator(".gallery-card tr.gallery-row");
        Assert.Equal(DemoGalleries.Targets, await rows.CountAsync());
        Assert.Equal(1 + 2, await rows.First.Locator("img").CountAsync());
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.gallery-card img')].every(i => i.complete && i.naturalWidth > 0)");
        Assert.Matches(@"^-?[01]\.\d{3}$", (await page.Locator(".gallery-mean").First.InnerTextAsync()).Trim());
        // Demo data says so; the hazard sign (the detection demo's unsafe class) is blurred here too, original and reconstructions,
        // with a reveal button for this researcher; every other scene is not.
        Assert.Contains("demo data", await page.Locator(".gallery-card #demo-notice").First.InnerTextAsync());
        var sensitive = await page.Locator(".gallery-card img[data-sensitive='true']").EvaluateAllAsync<string[]>("els => els.map(e => e.alt)");
        Assert.Equal(3, sensitive.Length);
        Assert.All(sensitive, alt => Assert.Contains("hazard", alt));
        Assert.Equal(3, await page.Locator(".gallery-card button.ex-reveal").CountAsync());
        Assert.Equal((DemoGalleries.Targets - 1) * 3, await page.Locator(".gallery-card img[data-sensitive='false']").CountAsync());
        await f.Screenshot(page, "gallery-encoder");

        // Cross-encoder view: targets × encoders and the Table VII heat-map with every cell scored.
        await page.ClickAsync("#to-compare");
        await page.WaitForURLAsync(u => u.Contains("/galleries/compare"));
        await page.Locator("#compare-grid").WaitForAsync();
        Assert.Equal(2, await page.Locator("#compare-grid th.compare-encoder").CountAsync());
        Assert.Equal(DemoGalleries.Targets, await page.Locator("#compare-grid tr.compare-row").CountAsync());
        Assert.Equal(4, await page.Locator("#heat-map td.heat-cell").CountAsync());
        Assert.All(await page.Locator("#heat-map td.heat-cell").AllInnerTextsAsync(), t => Assert.Matches(@"^-?[01]\.\d{3}$", t.Trim()));
        Assert.True(await ImagesLoaded(page, "#compare-grid img"));
        Assert.Equal(1 + 2, await page.Locator("#compare-grid img[data-sensitive='true']").CountAsync()); // the hazard original + one per encoder
        Assert.Contains("demo data", await page.Locator("#demo-notice").InnerTextAsync());
        await f.Screenshot(page, "gallery-compare");

        // Text inversion of a new prompt: queue it from the form and watch it appear in the grid.
        await BrowserFixture.Open(page, "/galleries/text");
        Assert.Contains(vit.DisplayName, await page.Locator("#text-request").InnerTextAsync());
        const string prompt = "a cat and the dog";
        await page.FillAsync("#text-prompt", prompt);
        await page.Locator("#text-prompt").PressAsync("Tab");
        await page.ClickAsync("#text-submit");
        var cell = page.Locator($"#text-grid tr.text-row[data-prompt='{prompt}'] td[data-encoder='{vit.Id}'] img");
        await cell.WaitForAsync(new() { Timeout = 90_000 });
        Assert.True(await ImagesLoaded(page, $"#text-grid tr.text-row[data-prompt='{prompt}'] img"));
        Assert.Matches(@"^cos -?[01]\.\d{3}$", (await page.Locator($"#text-grid tr.text-row[data-prompt='{prompt}'] .inv-caption").InnerTextAsync()).Trim());
        await f.Screenshot(page, "gallery-text");
        await page.Context.CloseAsync();
    }
}
