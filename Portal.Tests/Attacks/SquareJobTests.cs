using System.Net;
using System.Net.Http.Json;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Attacks;

/// <summary>The Square Attack as a portal job (issue 16, item 1): queued by preset or config, run by the worker, its
/// per-item queries and statistics stored, never in APGD's leaderboard columns, refused where it does not apply.</summary>
public sealed class SquareJobTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    [Fact]
    public async Task A_square_job_runs_stores_its_queries_and_keeps_out_of_the_apgd_columns()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var admin = await host.ApiAs(Roles.Admin);
        using var researcher = await host.ApiAs(Roles.Researcher);
        var data = PortalTestData.Nights(_dir, count: 12, size: 32);
        var bench = (await host.PostJson(admin, "/api/benchmarks", new { name = "tiny", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var enc = (await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();

        var config = new { attack = "square", norm = "linf", eps = 8 / 255.0, queries = 40, restarts = 1, seed = 3 };
        var job = (await host.PostJson(researcher, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, config }, 201))[0].GetProperty("job");
        Assert.StartsWith("square;linf;", job.GetProperty("config_key").GetString());
        Assert.Contains("q=40", job.GetProperty("config_key").GetString());
        var end = await host.WaitForJobEnd(researcher, job.GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
        Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());

        var items = (await host.GetJson(researcher, $"/api/jobs/{end.GetProperty("id").GetInt32()}/items")).EnumerateArray().ToList();
        Assert.Equal(12, items.Count);
        Assert.All(items, i => Assert.InRange(i.GetProperty("queries").GetInt32(), 0, 41));
        Assert.All(items.Where(i => !i.GetProperty("clean_correct").GetBoolean()), i => Assert.Equal(0, i.GetProperty("queries").GetInt32()));
        var result = await host.GetJson(researcher, $"/api/results/{end.GetProperty("result_id").GetInt32()}");
        var stats = result.GetProperty("engine_result").GetProperty("query_stats");
        Assert.Equal(40, stats.GetProperty("budget").GetInt32());
        Assert.Equal(items.Sum(i => i.GetProperty("queries").GetInt32()), stats.GetProperty("total_queries").GetInt64());
        Assert.Contains(",40,", await researcher.GetStringAsync($"/api/results.csv?benchmark_id={bench}"));

        // The board's robust columns are APGD's: a Square result alone leaves them empty.
        var board = await host.GetJson(researcher, $"/api/leaderboards/{bench}");
        Assert.DoesNotContain("square", board.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Square_is_refused_off_2afc_over_the_query_cap_and_without_a_budget()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        using var admin = await host.ApiAs(Roles.Admin);
        using var researcher = await host.ApiAs(Roles.Researcher);
        var data = PortalTestData.Nights(_dir, count: 4, size: 32);
        var bench = (await host.PostJson(admin, "/api/benchmarks", new { name = "tiny", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var enc = (await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();
        async Task<string> Refused(object config)
        {
            var r = await researcher.PostAsync("/api/jobs", JsonContent.Create(new { encoder_id = enc, benchmark_id = bench, config }, options: PortalHost.Json));
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            return (await PortalHost.ReadJson(r)).GetProperty("error").GetString()!;
        }
        Assert.Contains("Portal:Limits:Researcher:MaxQueries", await Refused(new { attack = "square", norm = "linf", eps = 0.03, queries = 50_000, restarts = 1 }));
        Assert.Contains("queries must be in", await Refused(new { attack = "square", norm = "linf", eps = 0.03, restarts = 1 }));
        Assert.Contains("square attack and the audit only", await Refused(new { attack = "apgd", norm = "linf", eps = 0.03, iterations = 10, restarts = 1, queries = 10 }));
        // The presets name the standard budget.
        var presets = await host.GetJson(researcher, "/api/presets");
        var square = presets.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "square-linf-4");
        Assert.Equal(5000, square.GetProperty("config").GetProperty("queries").GetInt32());
    }

    [Fact]
    public async Task An_admin_queues_an_attack_audit_and_its_report_verdict_and_worst_case_are_stored()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var admin = await host.ApiAs(Roles.Admin);
        using var researcher = await host.ApiAs(Roles.Researcher);
        var data = PortalTestData.Nights(_dir, count: 12, size: 32);
        var bench = (await host.PostJson(admin, "/api/benchmarks", new { name = "tiny", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var enc = (await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();
        var config = new { attack = "audit", norm = "linf", eps = 1 / 255.0, iterations = 10, queries = 30, restarts = 2, seed = 0, limit = 8 };

        var refused = await researcher.PostAsync("/api/jobs", JsonContent.Create(new { encoder_id = enc, benchmark_id = bench, config }, options: PortalHost.Json));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var job = (await host.PostJson(admin, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, config }, 201))[0].GetProperty("job");
        Assert.StartsWith("audit;linf;", job.GetProperty("config_key").GetString());
        var end = await host.WaitForJobEnd(admin, job.GetProperty("id").GetInt32(), TimeSpan.FromMinutes(3));
        Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
        var result = await host.GetJson(researcher, $"/api/results/{end.GetProperty("result_id").GetInt32()}");
        var report = result.GetProperty("engine_result");
        Assert.Equal(8, report.GetProperty("n").GetInt32());
        Assert.Equal([1.0, 5.0, 10.0, 25.0, 50.0], report.GetProperty("iteration_curve").EnumerateArray().Select(p => p.GetProperty("setting").GetDouble()));
        Assert.Equal(4, report.GetProperty("checks").GetArrayLength());
        Assert.Equal(report.GetProperty("worst_case_robust_accuracy").GetDouble(), result.GetProperty("summary").GetProperty("robust_value").GetDouble());
    }

    [Fact]
    public async Task An_admin_audits_the_top_rows_of_a_board_in_one_action()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var admin = await host.ApiAs(Roles.Admin);
        using var researcher = await host.ApiAs(Roles.Researcher);
        var data = PortalTestData.Nights(_dir, count: 12, size: 32);
        var bench = (await host.PostJson(admin, "/api/benchmarks", new { name = "tiny", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var encoders = new List<int>();
        foreach (var (name, size) in new[] { ("pixel-l2", 32), ("ssim", 32), ("pixel-l2", 16) })
            encoders.Add((await host.PostJson(admin, "/api/encoders/builtin", new { name, size })).GetProperty("id").GetInt32());
        var robust = new Dictionary<int, double>();
        foreach (var e in encoders)
        {
            var job = (await host.PostJson(admin, "/api/jobs", new { encoder_id = e, benchmark_id = bench, presets = new[] { "linf-4" }, iterations = 3 }, 201))[0].GetProperty("job").GetProperty("id").GetInt32();
            var end = await host.WaitForJobEnd(admin, job, TimeSpan.FromMinutes(2));
            Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
            robust[e] = end.GetProperty("robust_value").GetDouble();
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.PostAsync($"/api/benchmarks/{bench}/audits", JsonContent.Create(new { top = 2 }))).StatusCode);
        var queued = await host.PostJson(admin, $"/api/benchmarks/{bench}/audits", new { top = 2, norm = "linf" }, 201);
        var audited = queued.EnumerateArray().Select(j => j.GetProperty("job").GetProperty("encoder_id").GetInt32()).ToList();
        Assert.Equal(robust.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(2).Select(kv => kv.Key), audited);
        Assert.All(queued.EnumerateArray(), j => Assert.StartsWith("audit;linf;", j.GetProperty("job").GetProperty("config_key").GetString()));
        foreach (var j in queued.EnumerateArray()) await admin.PostAsync($"/api/jobs/{j.GetProperty("job").GetProperty("id").GetInt32()}/cancel", null);
        var none = await admin.PostAsync($"/api/benchmarks/{bench}/audits", JsonContent.Create(new { top = 2, norm = "l2" }));
        Assert.Equal(HttpStatusCode.Conflict, none.StatusCode);
    }

    public void Dispose() => _dir.Dispose();
}
