using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Audit;

/// <summary>The encoder page in a real browser shows an attack audit: verdict, checks and both curves drawn by Chart.js.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditBrowserTests(BrowserFixture f)
{
    [BrowserFact]
    public async Task The_encoder_page_draws_an_audits_curves_and_says_its_verdict()
    {
        // The demo's encoders queue their jobs once validated: let the whole demo finish first, so this test leaves the
        // shared portal as complete as the other browser tests expect it.
        using (var http = new HttpClient { BaseAddress = new Uri(f.Portal.BaseUrl) })
        {
            var until = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < until)
            {
                var encoders = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, "/api/encoders");
                var jobs = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, "/api/jobs");
                var settled = encoders.EnumerateArray().All(e => e.GetProperty("status").GetString() != "validating")
                    && jobs.EnumerateArray().All(j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled")
                    && encoders.EnumerateArray().Where(e => e.GetProperty("status").GetString() == "ready")
                        .All(e => jobs.EnumerateArray().Any(j => j.GetProperty("encoder_id").GetInt32() == e.GetProperty("id").GetInt32()));
                if (settled) break;
                await Task.Delay(500);
            }
        }
        int resultId, encoderId;
        await using (var db = await f.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var source = await db.Results.AsNoTracking().FirstAsync(r => r.Config.Attack == "apgd");
            // At 8/255, not the board's 4/255 column: the other browser tests' boards stay as the demo left them.
            var config = new JobConfig { Attack = "audit", Norm = "linf", Eps = 8.0 / 255, Iterations = 100, Queries = 5000, Restarts = 5, Limit = 24 };
            var job = new JobRecord { EncoderId = source.EncoderId, DatasetId = source.DatasetId, Config = config, ConfigKey = config.Key, Status = JobStatus.Succeeded, Preset = "custom", CreatedAt = DateTime.UtcNow };
            db.Jobs.Add(job);
            await db.SaveChangesAsync();
            var result = new ResultRecord
            {
                Metric = ResultMetrics.TwoAfcAccuracy, JobId = job.Id, EncoderId = source.EncoderId, DatasetId = source.DatasetId, EncoderSha256 = source.EncoderSha256, DatasetVersion = source.DatasetVersion,
                ConfigKey = config.Key, Config = config, N = 24, CleanValue = 0.75, RobustValue = 0.25, SanityPassed = true, EngineVersion = "test", Device = "cpu", WallSeconds = 30, CreatedAt = DateTime.UtcNow,
                FullJson = """
                {"passed": false, "verdict": "warning: the black-box Square Attack is stronger than APGD by 20 points (25 % vs 45 %): the gradient is probably masked",
                 "apgd_robust_accuracy": 0.45, "square_robust_accuracy": 0.25, "cost_relative_to_apgd": 11.5,
                 "eps_curve": [{"setting": 0, "robust_accuracy": 0.75}, {"setting": 0.0157, "robust_accuracy": 0.6}, {"setting": 0.0314, "robust_accuracy": 0.45}, {"setting": 0.2510, "robust_accuracy": 0.0}],
                 "iteration_curve": [{"setting": 10, "robust_accuracy": 0.5}, {"setting": 50, "robust_accuracy": 0.46}, {"setting": 100, "robust_accuracy": 0.45}, {"setting": 250, "robust_accuracy": 0.45}, {"setting": 500, "robust_accuracy": 0.45}],
                 "checks": [{"name": "eps-curve", "passed": true, "reason": "robust accuracy reaches 0 % at ε = 64/255"},
                            {"name": "square", "passed": false, "reason": "the black-box Square Attack is stronger than APGD by 20 points (25 % vs 45 %): the gradient is probably masked"}]}
                """,
            };
            db.Results.Add(result);
            await db.SaveChangesAsync();
            (resultId, encoderId) = (result.Id, source.EncoderId);
        }
        var page = await f.NewPage();
        await BrowserFixture.Open(page, $"/encoders/{encoderId}");
        var card = page.Locator($"#audit-{resultId}");
        Assert.Equal("false", await card.GetAttributeAsync("data-passed"));
        Assert.Contains("gradient is probably masked", await card.InnerTextAsync());
        Assert.Contains("25.0", await card.InnerTextAsync()); // the worst case, next to APGD's 45.0
        await page.WaitForFunctionAsync($"() => document.getElementById('audit-eps-{resultId}')?.dataset.points === '4' && document.getElementById('audit-it-{resultId}')?.dataset.points === '5'");
        await card.ScrollIntoViewIfNeededAsync();
        await f.Screenshot(page, "encoder-audit");
        await page.Context.CloseAsync();
    }
}
