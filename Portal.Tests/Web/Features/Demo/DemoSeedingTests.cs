using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Demo;

/// <summary>First start with an empty database: demo benchmark, pixel baselines, the shipped demo encoders (clean + FARE), and their evaluations run to results.</summary>
public sealed class DemoSeedingTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private static readonly Dictionary<string, string?> Demo = new()
    {
        ["Portal:Demo:Enabled"] = "true",
        ["Portal:Demo:Triplets"] = "16",
        ["Portal:Demo:ImageSize"] = "32",
        ["Portal:Demo:ApgdIterations"] = "3",
        ["Portal:Demo:InversionIterations"] = "20",
        ["Portal:Demo:Retrieval"] = "false", // the retrieval/detection demo has its own tests (Portal.Tests.Web.Features.Retrieval)
    };

    [Fact]
    public async Task Empty_database_gets_the_demo_and_its_results_and_a_restart_does_not_seed_again()
    {
        using (var host = new PortalHost(_dir.Path, Demo))
        using (var api = host.Api())
        {
            var benches = await host.GetJson(api, "/api/benchmarks");
            var twoAfc = benches.EnumerateArray().Where(b => b.GetProperty("task_kind").GetString() == "2afc").ToList();
            Assert.Single(twoAfc);
            Assert.True(twoAfc[0].GetProperty("is_demo").GetBoolean());
            Assert.Equal(16, twoAfc[0].GetProperty("item_count").GetInt32());
            // The inversion gallery of the demo encoders (docs/inversion.md, “In the portal”).
            // A gallery is not a benchmark: it is listed with the galleries only.
            Assert.DoesNotContain(benches.EnumerateArray(), b => b.GetProperty("task_kind").GetString() == "feature-inversion");
            var gallery = Assert.Single((await host.GetJson(api, "/api/galleries")).EnumerateArray(), b => b.GetProperty("task_kind").GetString() == "feature-inversion");
            // One scene per demo-world class; the configured iterations and the paper's radius rescaled to 64 px.
            Assert.Equal(Portal.Engine.Demo.World.WorldClasses.Count, gallery.GetProperty("item_count").GetInt32());
            Assert.Contains("20 APGD iterations, L2 radius 28.57", gallery.GetProperty("description").GetString());
            var encoders = await host.GetJson(api, "/api/encoders");
            string[] names = [Portal.Web.Features.Encoders.DemoEncoders.CleanName, Portal.Web.Features.Encoders.DemoEncoders.FareName, "Pixel L2", "SSIM"];
            Assert.Equal(names.Order().ToArray(), encoders.EnumerateArray().Select(e => e.GetProperty("display_name").GetString()).Order().ToArray());
            var byName = encoders.EnumerateArray().ToDictionary(e => e.GetProperty("display_name").GetString()!, e => e.GetProperty("id").GetInt32());
            var fare = await host.GetJson(api, $"/api/encoders/{byName[Portal.Web.Features.Encoders.DemoEncoders.FareName]}");
            Assert.Equal(byName[Portal.Web.Features.Encoders.DemoEncoders.CleanName], fare.GetProperty("parent_encoder_id").GetInt32());
            // Stated at registration, not guessed: the demo encoders learned no similarity judgements.
            Assert.Equal("zero-shot", fare.GetProperty("training_data").GetString());

            // The baselines' jobs at once; the demo encoders' 2AFC clean + L∞ 1/255 (the board's) + L∞ 4/255 (the paper's) and
            // their inversion galleries once validated: 4 × 3 + 2.
            var jobs = await host.WaitFor(api, "/api/jobs", j => j.GetArrayLength() == 14, TimeSpan.FromMinutes(2));
            foreach (var j in jobs.EnumerateArray())
            {
                var end = await host.WaitForJobEnd(api, j.GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
                Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
            }
            var results = await host.GetJson(api, "/api/results");
            Assert.Equal(14, results.GetArrayLength());
            // The demo board's split is named for what it is, and its robust column is the demo's own threat model.
            Assert.Equal("procedural", twoAfc[0].GetProperty("splits").GetString());
            var board = await host.GetJson(api, $"/api/leaderboards/{twoAfc[0].GetProperty("id").GetInt32()}");
            Assert.Equal("1/255", board.GetProperty("linf_eps").GetString());
            Assert.True(board.GetProperty("demo").GetBoolean());
            Assert.Contains("not the paper's 4/255", board.GetProperty("demo_note").GetString());
            Assert.Equal(names.Order().ToArray(), results.EnumerateArray().Where(r => r.GetProperty("benchmark_id").GetInt32() == twoAfc[0].GetProperty("id").GetInt32()).Select(r => r.GetProperty("encoder").GetString()).Distinct().Order().ToArray());
            // Labels are known by construction and most pairs are easy: every baseline is far better than chance.
            Assert.All(results.EnumerateArray().Where(r => r.GetProperty("encoder").GetString() is "Pixel L2" or "SSIM"),
                r => Assert.InRange(r.GetProperty("clean_value").GetDouble(), 0.6, 1.0));

            var home = await api.GetStringAsync("/");
            Assert.Contains("Pixel L2", home);
            Assert.Contains("leaderboard", home);
        }

        using (var host = new PortalHost(_dir.Path, Demo))
        using (var api = host.Api())
        {
            Assert.Equal(4, (await host.GetJson(api, "/api/encoders")).GetArrayLength());
            Assert.Equal(14, (await host.GetJson(api, "/api/jobs")).GetArrayLength());

            // Make it look like a demo an earlier version seeded: no stated training data, no run at the board's own
            // threat model (L∞ 1/255); its board fell back to the paper's 4/255.
            var dbFactory = host.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Portal.Data.PortalDbContext>>();
            await using var db = await dbFactory.CreateDbContextAsync();
            var key = Portal.Web.Features.Jobs.Presets.Config(Portal.Web.Features.Jobs.Presets.DemoLinf1, 3).Key;
            await db.Jobs.Where(j => j.ConfigKey == key).ExecuteDeleteAsync();
            await db.Results.Where(r => r.ConfigKey == key).ExecuteDeleteAsync();
            await db.Encoders.ExecuteUpdateAsync(s => s.SetProperty(e => e.TrainingData, (string?)null));
        }

        // The next start brings that demo up to date: training data stated again, the 1/255 runs queued (once) and run.
        using (var host = new PortalHost(_dir.Path, Demo))
        using (var api = host.Api())
        {
            var jobs = await host.WaitFor(api, "/api/jobs", j => j.GetArrayLength() == 10 + 4, TimeSpan.FromMinutes(1));
            foreach (var j in jobs.EnumerateArray().Where(j => j.GetProperty("preset").GetString() == Portal.Web.Features.Jobs.Presets.DemoLinf1))
                Assert.Equal("succeeded", (await host.WaitForJobEnd(api, j.GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2))).GetProperty("status").GetString());
            Assert.Equal(4, jobs.EnumerateArray().Count(j => j.GetProperty("preset").GetString() == Portal.Web.Features.Jobs.Presets.DemoLinf1));
            var encoders = (await host.GetJson(api, "/api/encoders")).EnumerateArray().ToList();
            Assert.All(encoders.Where(e => e.GetProperty("display_name").GetString()!.StartsWith("Demo ConvNeXt", StringComparison.Ordinal)),
                e => Assert.Equal("zero-shot", e.GetProperty("training_data").GetString()));
            var bench = (await host.GetJson(api, "/api/benchmarks")).EnumerateArray().Single(b => b.GetProperty("task_kind").GetString() == "2afc");
            Assert.Equal("1/255", (await host.GetJson(api, $"/api/leaderboards/{bench.GetProperty("id").GetInt32()}")).GetProperty("linf_eps").GetString());
        }
        using (var host = new PortalHost(_dir.Path, Demo))
        using (var api = host.Api())
            Assert.Equal(14, (await host.GetJson(api, "/api/jobs")).GetArrayLength()); // nothing queued twice
    }

    public void Dispose() => _dir.Dispose();
}
