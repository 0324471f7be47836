using System.Text.Json;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Deploy;

/// <summary>
/// The scaled mode: one web (no local workers) and two real `portal worker` processes, started by the shipped systemd
/// unit's command (<see cref="SystemdInstall"/>), on a shared PostgreSQL database
/// and storage root. Work spreads over both; a worker SIGKILLed mid-job loses nothing (the other takes it over and ends
/// with exactly the per-item records of an uninterrupted run); a cancel reaches a job on another process.
/// </summary>
public sealed class MultiWorkerPostgresTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly TestDatabase _db = new();

    public void Dispose()
    {
        _db.Dispose();
        _dir.Dispose();
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Portal:DataRoot"] = _dir.Path,
        ["Portal:Database:Provider"] = "postgres",
        ["Portal:Database:ConnectionString"] = _db.ConnectionString,
        ["Portal:Demo:Enabled"] = "false",
        ["Portal:Workers:Local"] = "0",
        ["Portal:Worker:BatchSize"] = "4",
        ["Portal:Worker:PollSeconds"] = "0.2",
        ["Portal:Dispatch:LeaseSeconds"] = "6",
        ["Portal:Progress:ThrottleMs"] = "50",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    [PostgresFact]
    public async Task Two_workers_share_the_queue_a_killed_one_loses_nothing_and_cancel_crosses_processes()
    {
        var settings = Settings();
        using var host = new PortalHost(_dir.Path, settings, processWorkers: true);
        using var admin = await host.ApiAs(Roles.Admin);
        var data = PortalTestData.Nights(_dir, count: 48, size: 32);
        var bench = (await host.PostJson(admin, "/api/benchmarks", new { name = "nights 48", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var enc = (await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();

        // Both workers as their systemd unit starts them (supervisor + engine process), on the same portal.env.
        var install = new SystemdInstall(_dir.Path, new Dictionary<string, string?>(settings) { ["Portal:Worker:Threads"] = "1" });
        using var a = install.Worker("a");
        using var b = install.Worker("b");

        // Six distinct jobs: both workers take some.
        var ids = new List<int>();
        foreach (var limit in new[] { 40, 48 })
        {
            var s = await host.PostJson(admin, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "clean", "linf-4", "l2-3" }, iterations = 400, limit }, 201);
            ids.AddRange(s.EnumerateArray().Select(x => x.GetProperty("job").GetProperty("id").GetInt32()));
        }
        Assert.Equal(6, ids.Count);
        var ended = new List<JsonElement>();
        foreach (var id in ids) ended.Add(await host.WaitForJobEnd(admin, id, TimeSpan.FromMinutes(4)));
        Assert.All(ended, j => Assert.True(j.GetProperty("status").GetString() == "succeeded", j.ToString() + "\n" + a.Log + b.Log));
        var ranOn = ended.Select(j => j.GetProperty("worker_id").GetString()).Distinct().ToList();
        Assert.True(ranOn.Count == 2, $"all six ran on {string.Join(", ", ranOn)}");

        // Kill the worker running a longer attack; the other resumes it from the stored items.
        var reference = ended[1]; // linf-4, limit 40, uninterrupted
        var rerun = await host.PostJson(admin, $"/api/jobs/{reference.GetProperty("id").GetInt32()}/rerun", new { }, 201);
        var rerunId = rerun.GetProperty("job").GetProperty("id").GetInt32();
        var running = await host.WaitFor(admin, $"/api/jobs/{rerunId}", j => j.GetProperty("status").GetString() == "running" && j.GetProperty("done").GetInt32() > 0, TimeSpan.FromMinutes(2));
        var victim = running.GetProperty("worker_id").GetString() == a.Name ? a : b;
        var survivor = victim == a ? b : a;
        victim.Kill();
        var resumed = await host.WaitForJobEnd(admin, rerunId, TimeSpan.FromMinutes(3));
        Assert.True(resumed.GetProperty("status").GetString() == "succeeded", resumed + "\n" + survivor.Log);
        Assert.Equal(survivor.Name, resumed.GetProperty("worker_id").GetString());
        Assert.Equal(1, resumed.GetProperty("deaths").GetInt32());
        Assert.Equal(reference.GetProperty("robust_value").GetDouble(), resumed.GetProperty("robust_value").GetDouble(), 12);
        var before = await Items(host, admin, reference.GetProperty("id").GetInt32());
        var after = await Items(host, admin, rerunId);
        Assert.Equal(before, after);

        // A cancel from the web reaches the job on the surviving worker's process.
        var slow = await host.PostJson(admin, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "linf-4" }, iterations = 3000 }, 201);
        var slowId = slow[0].GetProperty("job").GetProperty("id").GetInt32();
        await host.WaitFor(admin, $"/api/jobs/{slowId}", j => j.GetProperty("status").GetString() == "running" && j.GetProperty("done").GetInt32() > 0, TimeSpan.FromMinutes(2));
        var asked = DateTime.UtcNow;
        Assert.True((await admin.PostAsync($"/api/jobs/{slowId}/cancel", null)).IsSuccessStatusCode);
        Assert.Equal("cancelled", (await host.WaitForJobEnd(admin, slowId, TimeSpan.FromSeconds(30))).GetProperty("status").GetString());
        Assert.True(DateTime.UtcNow - asked < TimeSpan.FromSeconds(5), $"cancel took {(DateTime.UtcNow - asked).TotalSeconds:F1} s");
    }

    /// <summary>The per-item outcome, in item order, without row ids and job ids.</summary>
    private static async Task<List<string>> Items(PortalHost host, HttpClient c, int jobId) =>
        (await host.GetJson(c, $"/api/jobs/{jobId}/items")).EnumerateArray()
            .Select(i => string.Join("|", i.GetProperty("item_id").GetString(), i.GetProperty("clean_correct").GetBoolean(),
                i.GetProperty("robust_correct").ToString(), i.GetProperty("margin").GetDouble().ToString("R"),
                i.GetProperty("robust_margin").ToString(), i.GetProperty("perturbation_norm").ToString()))
            .OrderBy(s => s, StringComparer.Ordinal).ToList();
}
