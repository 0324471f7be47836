using Microsoft.Playwright;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Submit;

/// <summary>
/// A researcher in a real browser: signs in, uploads a fixture checkpoint, watches it validate, queues a clean + L∞ evaluation on the
/// demo benchmark, watches the progress bar reach 100% without reloading, and sees the new row and chart point appear on a
/// leaderboard that was already open.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SubmissionBrowserTests(BrowserFixture f)
{
    [BrowserFact]
    public async Task Researcher_uploads_submits_and_watches_the_result_arrive_live()
    {
        var context = await f.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = f.Portal.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var board = await f.NewPage(context);
        // An anonymous visitor's live board is the interactive view (the static one refreshes only rows already running).
        await BrowserFixture.Open(board, "/leaderboards/1?interactive=1");
        // At least one more row and point than before: the demo may still be adding its own rows when this test starts.
        var rowsBefore = await board.Locator("#leaderboard tbody tr.lb-row").CountAsync();
        await board.WaitForFunctionAsync("() => (document.getElementById('leaderboard-scatter')?.dataset.points ?? '0') !== '0'");
        var pointsBefore = int.Parse(await board.Locator("#leaderboard-scatter").GetAttributeAsync("data-points") ?? "0");

        var (user, password) = await f.CreateResearcher();
        var page = await f.NewPage(context);
        await BrowserFixture.SignIn(page, user, password);
        try
        {
            await BrowserFixture.Open(page, "/submit");
            // A marker in the window: it survives only if the page is never reloaded.
            await page.EvaluateAsync("() => window.__noReload = 42");
            var name = "E2E CLIP mini " + Guid.NewGuid().ToString("N")[..6];
            await page.Locator("#checkpoint-file").SetInputFilesAsync(FreshCopy(Path.Combine(FixturePaths.Encoder("openclip-vit-b32-mini"), "model.safetensors"), name));
            await page.Locator("#meta-name").FillAsync(name);
            await page.Locator("#meta-family").FillAsync("CLIP");
            await page.Locator("#meta-backbone").FillAsync("ViT-B/32 (mini)");
            await page.Locator("#upload-button").ClickAsync();
            try { await page.Locator("#validation-facts").WaitForAsync(new() { Timeout = 60_000 }); }
            catch (TimeoutException) { await f.Screenshot(page, "failure-validation"); throw; }
            Assert.Contains("openclip", await page.Locator("#validation-facts").InnerTextAsync());

            var demo = page.Locator(".benchmark-choice", new() { HasText = "Demo 2AFC (procedural)" }).Locator("input");
            if (!await demo.IsCheckedAsync()) await demo.CheckAsync();
            // Clean, L∞ 4/255 and (on the demo board) its own L∞ 1/255 are preselected; keep the run short: 8 items, 2 APGD iterations.
            await page.GetByText("Advanced").ClickAsync();
            await page.GetByLabel("Only the first N items").FillAsync("8");
            await page.GetByLabel("APGD iterations (default: the preset's)").FillAsync("2");
            await page.Locator("#submit-jobs").ClickAsync();
            var bars = page.Locator("#submitted .job-progress");
            await bars.First.WaitForAsync();
            Assert.Equal(3, await bars.CountAsync());
            // Every bar reaches 100% through live updates.
            await page.WaitForFunctionAsync(
                "() => { const b = [...document.querySelectorAll('#submitted .job-progress')]; return b.length === 3 && b.every(x => x.dataset.status === 'succeeded' && x.dataset.percent === '100'); }",
                null, new() { Timeout = 90_000 });
            Assert.Equal(42, await page.EvaluateAsync<int>("() => window.__noReload"));
            await f.Screenshot(page, "submission-finished");

            var row = board.Locator("#leaderboard tbody tr.lb-row", new() { HasText = name });
            try
            {
                // The leaderboard opened before the submission shows the new row and chart point without a reload.
                await board.EvaluateAsync("() => window.__noReload = 7");
                await row.WaitForAsync(new() { Timeout = 20_000 });
                await board.WaitForFunctionAsync("([n]) => document.querySelectorAll('#leaderboard tbody tr.lb-row').length >= n", new object[] { rowsBefore + 1 });
                await Microsoft.Playwright.Assertions.Expect(row.Locator("td.lb-linf")).Not.ToHaveTextAsync("–");
                await board.WaitForFunctionAsync("([n]) => Number(document.getElementById('leaderboard-scatter')?.dataset.points ?? 0) >= n", new object[] { pointsBefore + 1 });
                Assert.Equal(7, await board.EvaluateAsync<int>("() => window.__noReload"));
            }
            catch
            {
                await f.Screenshot(board, "failure-leaderboard-after-submission");
                throw;
            }
            await f.Screenshot(board, "leaderboard-after-submission");

            // The encoder page starts with a compact table of its results, then explains each number with a reproducibility card.
            await row.Locator(".lb-encoder").ClickAsync();
            await board.Locator("#encoder-name").WaitForAsync();
            Assert.Equal(3, await board.Locator(".repro-card").CountAsync());
            var lines = board.Locator("#encoder-results-summary tr.encoder-result-line");
            Assert.Equal(3, await lines.CountAsync());
            Assert.Equal(["none (clean)", "L∞ 1/255 · APGD 2 it · 1 restart", "L∞ 4/255 · APGD 2 it · 1 restart"], await board.Locator("#encoder-results-summary .line-setting").AllInnerTextsAsync());
            Assert.All(await board.Locator("#encoder-results-summary .line-metric").AllInnerTextsAsync(), m => Assert.Equal("2AFC accuracy", m));
            Assert.All(await board.Locator("#encoder-results-summary .line-items").AllInnerTextsAsync(), n => Assert.Equal("8 (first 8)", n));
            // The summary comes before the cards.
            Assert.True(await board.EvaluateAsync<bool>("() => !!(document.getElementById('encoder-results-summary').compareDocumentPosition(document.getElementById('encoder-metadata')) & Node.DOCUMENT_POSITION_FOLLOWING)"));
            Assert.Contains("seed=0", await board.Locator(".repro-config").Last.InnerTextAsync());
            await f.Screenshot(board, "encoder-page");
        }
        catch
        {
            await f.Screenshot(page, "failure-submission");
            throw;
        }
        await context.CloseAsync();
    }

    [BrowserFact]
    public async Task Anonymous_visitor_is_refused_the_upload_page_and_the_api_writes()
    {
        var page = await f.NewPage();
        await page.GotoAsync("/submit");
        // The submit page sends anonymous visitors to sign in, and back afterwards.
        await page.WaitForURLAsync(u => u.Contains("/account/signin"));
        Assert.Contains("returnurl=%2fsubmit", page.Url.ToLowerInvariant());
        await page.Locator("#signin-form").WaitForAsync();
        Assert.Equal(0, await page.Locator("#checkpoint-file").CountAsync());
        await f.Screenshot(page, "anonymous-refused-submit");

        // The browser's own requests (same cookies, none here) are refused on every write endpoint.
        var api = page.Context.APIRequest;
        var fixture = await File.ReadAllBytesAsync(Path.Combine(FixturePaths.Encoder("openclip-vit-b32-mini"), "model.safetensors"));
        var writes = new (string Method, string Url, object? Body)[]
        {
            ("POST", "/api/encoders/upload?name=anon", fixture),
            ("POST", "/api/encoders/register", new { path = "/etc/passwd" }),
            ("POST", "/api/uploads", new { size = 10 }),
            ("POST", "/api/jobs", new { encoder_id = 1, benchmark_id = 1, presets = new[] { "clean" } }),
            ("POST", "/api/jobs/1/cancel", null),
        };
        foreach (var (method, url, body) in writes)
        {
            var options = new APIRequestContextOptions { Method = method, MaxRedirects = 0 };
            if (body is byte[] bytes) { options.DataByte = bytes; options.Headers = new Dictionary<string, string> { ["Content-Type"] = "application/octet-stream" }; }
            else if (body != null) options.DataObject = body;
            var r = await api.FetchAsync(url, options);
            Assert.True(r.Status is 401 or 403, $"{method} {url}: expected 401/403 for an anonymous visitor, got {r.Status} {await r.TextAsync()}");
        }
        // Reading stays public.
        Assert.Equal(200, (await api.GetAsync("/api/leaderboards/1")).Status);
        using var http = new HttpClient { BaseAddress = new Uri(f.Portal.BaseUrl) };
        Assert.DoesNotContain("anon", await http.GetStringAsync("/api/encoders"));
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The fixture with a metadata entry of its own, so a new file (by SHA-256) with the same weights: the portal files an
    /// upload of bytes it already has under the encoder registered first, and other browser tests of this portal (the text
    /// gallery) register this fixture too, so without it the row would carry their name, whichever ran first.
    /// </summary>
    private static string FreshCopy(string safetensors, string tag)
    {
        var bytes = File.ReadAllBytes(safetensors);
        var length = (int)BitConverter.ToUInt64(bytes, 0);
        var header = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(bytes, 8, length))!.AsObject();
        var meta = header["__metadata__"] as System.Text.Json.Nodes.JsonObject ?? [];
        meta["e2e_copy"] = tag;
        header["__metadata__"] = meta;
        var text = header.ToJsonString();
        text += new string(' ', (8 - System.Text.Encoding.UTF8.GetByteCount(text) % 8) % 8);
        var newHeader = System.Text.Encoding.UTF8.GetBytes(text);
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "e2e-" + Guid.NewGuid().ToString("N")));
        var path = Path.Combine(dir.FullName, Path.GetFileName(safetensors));
        using (var o = File.Create(path))
        {
            o.Write(BitConverter.GetBytes((ulong)newHeader.Length));
            o.Write(newHeader);
            o.Write(bytes, 8 + length, bytes.Length - 8 - length);
        }
        return path;
    }
}
