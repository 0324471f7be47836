using System.Net;
using System.Text.Json;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Worker;

/// <summary>
/// The embedded default as shipped: the web starts a real `Portal.Cli worker` process and supervises it. A checkpoint
/// that kills its worker fails the validation, never the web; jobs run in the child and a cancel reaches them.
/// </summary>
public sealed class WorkerProcessTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_checkpoint_that_kills_its_worker_is_rejected_after_three_deaths_and_the_web_stays_up()
    {
        using var host = new PortalHost(_dir.Path, new Dictionary<string, string?>
        {
            ["Portal:Worker:CrashOnEncoderName"] = "crash-me",
        }, processWorkers: true);
        using var api = await host.ApiAs(Roles.Researcher);

        var bytes = await File.ReadAllBytesAsync(PortalTestData.FixtureCheckpoint());
        var up = await api.PostAsync("/api/encoders/upload?name=crash-me", CheckpointContent.Of(bytes));
        Assert.Equal(HttpStatusCode.Accepted, up.StatusCode);
        var id = (await PortalHost.ReadJson(up)).GetProperty("encoder").GetProperty("id").GetInt32();

        var end = await host.WaitFor(api, $"/api/encoders/{id}", e => e.GetProperty("status").GetString() != "validating", TimeSpan.FromMinutes(3));
        Assert.Equal("rejected", end.GetProperty("status").GetString());
        var reason = end.GetProperty("reject_reason").GetString()!;
        Assert.Contains("died 3 times while loading this checkpoint", reason);
        Assert.Contains("Stack overflow", reason);
        // The web answered throughout, and its worker is back: another checkpoint validates.
        Assert.Equal("ok", (await host.GetJson(api, "/api/health")).GetProperty("status").GetString());
        var other = await File.ReadAllBytesAsync(PortalTestData.FixtureCheckpoint("openclip-vit-b16-mini"));
        var up2 = await api.PostAsync("/api/encoders/upload?name=fine", CheckpointContent.Of(other));
        var id2 = (await PortalHost.ReadJson(up2)).GetProperty("encoder").GetProperty("id").GetInt32();
        var ok = await host.WaitFor(api, $"/api/encoders/{id2}", e => e.GetProperty("status").GetString() != "validating", TimeSpan.FromMinutes(2));
        Assert.True(ok.GetProperty("status").GetString() == "ready", ok.ToString());
        // Restarting never re-runs the rejected validation: its record is decided.
        Assert.Equal("rejected", (await host.GetJson(api, $"/api/encoders/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Jobs_run_in_the_worker_process_and_a_cancel_reaches_the_running_one()
    {
        // Threads automatic, leaving the web a core (Workers:WebCores = 1): the local worker is started with the rest.
        using var host = new PortalHost(_dir.Path, new Dictionary<string, string?> { ["Portal:Worker:Threads"] = "0", ["Portal:Workers:WebCores"] = "1" }, processWorkers: true);
        using var admin = await host.ApiAs(Roles.Admin);
        var local = await host.WaitFor(admin, "/api/workers", w => w.GetArrayLength() > 0, TimeSpan.FromMinutes(1));
        Assert.Equal(Portal.Web.Dispatch.LocalWorkerThreads.For(Environment.ProcessorCount, 1, 1, 0) ?? 0, local[0].GetProperty("threads").GetInt32());
        var data = PortalTestData.Nights(_dir, count: 48, size: 32);
        var bench = await host.PostJson(admin, "/api/benchmarks", new { name = "nights 48", dataset_root = data, format = "nights", split = "test" }, 201);
        var builtin = await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 });
        var encoderId = builtin.GetProperty("id").GetInt32();

        var clean = await host.PostJson(admin, "/api/jobs", new { encoder_id = encoderId, benchmark_id = bench.GetProperty("id").GetInt32(), presets = new[] { "clean" } }, 201);
        var cleanId = clean[0].GetProperty("job").GetProperty("id").GetInt32();
        var done = await host.WaitForJobEnd(admin, cleanId, TimeSpan.FromMinutes(2));
        Assert.True(done.GetProperty("status").GetString() == "succeeded", done.ToString());
        Assert.StartsWith("local-1@", done.GetProperty("worker_id").GetString());

        // A long attack: cancel it once it runs; the worker reads the flag within a second or two.
        var slow = await host.PostJson(admin, "/api/jobs", new { encoder_id = encoderId, benchmark_id = bench.GetProperty("id").GetInt32(), presets = new[] { "linf-4" }, iterations = 2000 }, 201);
        var slowId = slow[0].GetProperty("job").GetProperty("id").GetInt32();
        await host.WaitFor(admin, $"/api/jobs/{slowId}", j => j.GetProperty("status").GetString() == "running" && j.GetProperty("done").GetInt32() > 0, TimeSpan.FromMinutes(2));
        var asked = DateTime.UtcNow;
        var cancel = await admin.PostAsync($"/api/jobs/{slowId}/cancel", null);
        Assert.True(cancel.IsSuccessStatusCode, await cancel.Content.ReadAsStringAsync());
        var cancelled = await host.WaitForJobEnd(admin, slowId, TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.True(DateTime.UtcNow - asked < TimeSpan.FromSeconds(10), $"cancel took {(DateTime.UtcNow - asked).TotalSeconds:F1} s");

        var workers = await host.GetJson(admin, "/api/workers");
        var w = workers.EnumerateArray().Single(x => x.GetProperty("name").GetString()!.StartsWith("local-1@", StringComparison.Ordinal));
        Assert.Equal("cpu", w.GetProperty("device").GetString());
        Assert.Contains(w.GetProperty("state").GetString(), new[] { "idle", "busy" });
    }
}
