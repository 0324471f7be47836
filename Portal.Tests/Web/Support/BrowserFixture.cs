using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Portal.Tests.Web.Support;

/// <summary>Chromium from Debian (Playwright cannot download browsers here), launched once for all browser tests.</summary>
public static class Chromium
{
    public const string Path = "/usr/bin/chromium";
    public static bool Installed => File.Exists(Path);
    public const string SkipReason = "browser tests need Debian's chromium at /usr/bin/chromium (CI installs it: apt-get install chromium)";
}

/// <summary>[Fact] that is skipped, with the reason, when chromium is not installed.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute() { if (!Chromium.Installed) Skip = Chromium.SkipReason; }
}

/// <summary>One portal and one headless browser shared by the browser tests (starting them dominates the test time).</summary>
public class BrowserFixture : IAsyncLifetime
{
    public LivePortal Portal { get; private set; } = default!;
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    /// <summary>Whether the portal also seeds the retrieval/detection demo.</summary>
    protected virtual bool RetrievalDemo => false;
    public string ScreenshotDir { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "e2e-screenshots");

    public async Task InitializeAsync()
    {
        if (!Chromium.Installed) return;
        Directory.CreateDirectory(ScreenshotDir);
        Portal = new LivePortal(RetrievalDemo);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await DemoFinished(TimeSpan.FromSeconds(240));
    }

    /// <summary>
    /// Waits until the demo's jobs are done so the leaderboard is complete and stable: the demo encoders' jobs are queued
    /// only once their validation ends, so every encoder must have left validation and the job list must hold still.
    /// </summary>
    public async Task DemoFinished(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var until = DateTime.UtcNow + timeout;
        var stableSince = (DateTime?)null;
        var lastCount = -1;
        while (true)
        {
            var jobs = await http.GetFromJsonAsync<JsonElement>("/api/jobs");
            var statuses = jobs.EnumerateArray().Select(j => j.GetProperty("status").GetString()).ToList();
            var encoders = await http.GetFromJsonAsync<JsonElement>("/api/encoders");
            var validating = encoders.EnumerateArray().Any(e => e.GetProperty("status").GetString() == "validating");
            var settled = statuses.Count >= 4 && !validating && statuses.All(s => s is "succeeded" or "failed" or "cancelled");
            if (!settled) stableSince = null;
            else if (stableSince == null || statuses.Count != lastCount) stableSince = DateTime.UtcNow;
            lastCount = statuses.Count;
            if (stableSince is { } since && DateTime.UtcNow - since > TimeSpan.FromSeconds(1.5)) return;
            if (DateTime.UtcNow > until) throw new TimeoutException($"demo jobs still running after {timeout}: {string.Join(", ", statuses)}{(validating ? "; an encoder is still validating" : "")}");
            await Task.Delay(200);
        }
    }

    /// <summary>A researcher account with a password, through the portal's own provisioning (as `portal user add` does).</summary>
    public async Task<(string UserName, string Password)> CreateResearcher()
    {
        var name = "researcher-" + Guid.NewGuid().ToString("N")[..8];
        const string password = "E2e-Researcher-Pass-1!";
        using var scope = Portal.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<global::Portal.Data.Accounts.AccountProvisioner>().AddUserAsync(name, global::Portal.Data.Accounts.Roles.Researcher, password);
        return (name, password);
    }

    /// <summary>Signs in through the real sign-in form (it posts, the server sets the cookie).</summary>
    public static async Task SignIn(IPage page, string userName, string password)
    {
        await page.GotoAsync("/account/signin");
        await page.Locator("#signin-username").FillAsync(userName);
        await page.Locator("#signin-password").FillAsync(password);
        await page.Locator("#signin-submit").ClickAsync();
        await page.WaitForURLAsync(u => !u.Contains("/account/signin"));
    }

    public async Task<IPage> NewPage(IBrowserContext? context = null)
    {
        context ??= await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Portal.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000); // generous: CI runs the browser tests next to the CPU-heavy engine tests on 2 cores
        return page;
    }

    /// <summary>Opens a page and waits for the Blazor circuit (prerendered HTML is visible but not clickable before it).</summary>
    public static async Task Open(IPage page, string url)
    {
        await page.GotoAsync(url);
        await page.Locator("#interactive-marker[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    public async Task Screenshot(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (!Chromium.Installed) return;
        // Collection fixtures are disposed after their tests, outside any test's timeout: a chromium that never closes
        // would hold the whole run open (one CI run hung after its last test, cause not found). Wait a minute, then go
        // on; disposing Playwright ends its driver and with it the browser.
        var closed = Browser.DisposeAsync().AsTask();
        if (await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(60))) != closed)
            Console.Error.WriteLine("BrowserFixture: chromium did not close within 60 s; disposing Playwright's driver instead");
        Playwright.Dispose();
        Portal.Dispose();
    }
}

/// <summary>A second portal with the retrieval/detection demo seeded, for the adversarial-example viewer's tests.</summary>
public sealed class RetrievalBrowserFixture : BrowserFixture
{
    protected override bool RetrievalDemo => true;
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
