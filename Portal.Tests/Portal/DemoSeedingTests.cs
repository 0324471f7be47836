using Portal.Tests.Support;

namespace Portal.Tests.PortalWeb;

/// <summary>First start with an empty database: demo benchmark, pixel baselines, and their evaluations run to results.</summary>
public sealed class DemoSeedingTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private static readonly Dictionary<string, string?> Demo = new()
    {
        ["Portal:Demo:Enabled"] = "true",
        ["Portal:Demo:Triplets"] = "16",
        ["Portal:Demo:ImageSize"] = "32",
        ["Portal:Demo:ApgdIterations"] = "3",
        ["Portal:Demo:Retrieval"] = "false", // the retrieval/detection demo has its own tests (Portal.Tests.RetrievalWeb)
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
            // The inversion gallery of the demo encoders (docs/galleries.md).
            Assert.Contains(benches.EnumerateArray(), b => b.GetProperty("task_kind").GetString() == "feature-inversion");
            var encoders = await host.GetJson(api, "/api/encoders");
            Assert.Equal(["Demo ConvNeXt (FARE)", "Demo ConvNeXt (clean)", "Pixel L2", "SSIM"],
                encoders.EnumerateArray().Select(e => e.GetProperty("display_name").GetString()).Order(StringComparer.Ordinal).ToArray());

            // 4 baseline evaluations at once, 2 inversions once the demo encoders are validated.
            var jobs = await host.WaitFor(api, "/api/jobs", j => j.GetArrayLength() >= 6);
            Assert.Equal(6, jobs.GetArrayLength());
            foreach (var j in jobs.EnumerateArray())
            {
                var end = await host.WaitForJobEnd(api, j.GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
                Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
            }
            var results = await host.GetJson(api, "/api/results");
            Assert.Equal(6, results.GetArrayLength());
            // Labels are known by construction and most pairs are easy: every baseline is far better than chance.
            var baselines = results.EnumerateArray().Where(r => twoAfc[0].GetProperty("id").GetInt32() == r.GetProperty("benchmark_id").GetInt32()).ToList();
            Assert.Equal(4, baselines.Count);
            Assert.All(baselines, r => Assert.InRange(r.GetProperty("clean_accuracy").GetDouble(), 0.6, 1.0));

            var home = await api.GetStringAsync("/");
            Assert.Contains("Pixel L2", home);
            Assert.Contains("leaderboard", home);
        }

        using (var host = new PortalHost(_dir.Path, Demo))
        using (var api = host.Api())
        {
            Assert.Equal(4, (await host.GetJson(api, "/api/encoders")).GetArrayLength());
            Assert.Equal(6, (await host.GetJson(api, "/api/jobs")).GetArrayLength());
        }
    }

    public void Dispose() => _dir.Dispose();
}
