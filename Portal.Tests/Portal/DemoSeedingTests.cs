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
            Assert.Equal(1, benches.GetArrayLength());
            Assert.True(benches[0].GetProperty("is_demo").GetBoolean());
            Assert.Equal(16, benches[0].GetProperty("item_count").GetInt32());
            var encoders = await host.GetJson(api, "/api/encoders");
            Assert.Equal(["Pixel L2", "SSIM"], encoders.EnumerateArray().Select(e => e.GetProperty("display_name").GetString()).Order().ToArray());

            var jobs = await host.GetJson(api, "/api/jobs");
            Assert.Equal(4, jobs.GetArrayLength());
            foreach (var j in jobs.EnumerateArray())
            {
                var end = await host.WaitForJobEnd(api, j.GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
                Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
            }
            var results = await host.GetJson(api, "/api/results");
            Assert.Equal(4, results.GetArrayLength());
            // Labels are known by construction and most pairs are easy: every baseline is far better than chance.
            Assert.All(results.EnumerateArray(), r => Assert.InRange(r.GetProperty("clean_accuracy").GetDouble(), 0.6, 1.0));

            var home = await api.GetStringAsync("/");
            Assert.Contains("Pixel L2", home);
            Assert.Contains("leaderboard", home);
        }

        using (var host = new PortalHost(_dir.Path, Demo))
        using (var api = host.Api())
        {
            Assert.Equal(2, (await host.GetJson(api, "/api/encoders")).GetArrayLength());
            Assert.Equal(4, (await host.GetJson(api, "/api/jobs")).GetArrayLength());
        }
    }

    public void Dispose() => _dir.Dispose();
}
