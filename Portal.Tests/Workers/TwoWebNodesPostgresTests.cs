using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using Portal.Data.Accounts;
using Portal.Tests.Accounts;
using Portal.Tests.PortalWeb;
using Portal.Tests.Support;
using Portal.Web.Progress;

namespace Portal.Tests.Workers;

/// <summary>
/// Two web nodes on one PostgreSQL database and storage root, the worker beside one of them: a job queued through
/// node B runs on node A's worker, and SignalR viewers of both nodes see it live to the end, with no backplane (each
/// node's relay follows the shared jobs table; docs/deployment.md, "Progress across machines").
/// </summary>
public sealed class TwoWebNodesPostgresTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly TestDatabase _db = new();

    public void Dispose()
    {
        _db.Dispose();
        _dir.Dispose();
    }

    private Dictionary<string, string?> Settings(bool worker) => new()
    {
        ["Portal:Database:Provider"] = "postgres",
        ["Portal:Database:ConnectionString"] = _db.ConnectionString,
        ["Portal:Worker:Enabled"] = worker ? "true" : "false",
        ["Portal:Progress:ThrottleMs"] = "50",
    };

    [PostgresFact]
    public async Task Viewers_of_both_nodes_follow_a_job_queued_on_one_and_run_beside_the_other()
    {
        using var nodeA = new PortalHost(_dir.Path, Settings(worker: true));
        using var nodeB = new PortalHost(_dir.Path, Settings(worker: false));
        using var adminB = await nodeB.ApiAs(Roles.Admin);
        var data = PortalTestData.Nights(_dir, count: 24, size: 32);
        var bench = (await nodeB.PostJson(adminB, "/api/benchmarks", new { name = "nights 24", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var enc = (await nodeB.PostJson(adminB, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();

        var seen = new[] { new ConcurrentQueue<JobProgressMessage>(), new ConcurrentQueue<JobProgressMessage>() };
        await using var hubA = nodeA.Hub();
        await using var hubB = nodeB.Hub();
        foreach (var (hub, i) in new[] { (hubA, 0), (hubB, 1) })
        {
            hub.On<JobProgressMessage>(ProgressHub.Method, m => seen[i].Enqueue(m));
            await hub.StartAsync();
            await hub.InvokeAsync("WatchQueue");
        }

        var job = (await nodeB.PostJson(adminB, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "linf-4" }, iterations = 1000 }, 201))[0]
            .GetProperty("job").GetProperty("id").GetInt32();
        var end = await nodeB.WaitForJobEnd(adminB, job, TimeSpan.FromMinutes(3));
        Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
        Assert.StartsWith("test-worker-", end.GetProperty("worker_id").GetString()); // node A's in-process worker ran it

        var until = DateTime.UtcNow.AddSeconds(10);
        while (!seen.All(q => q.Any(m => m.JobId == job && m.Status == "succeeded")) && DateTime.UtcNow < until) await Task.Delay(50);
        foreach (var q in seen)
        {
            Assert.Contains(q, m => m.JobId == job && m.Status == "succeeded" && m.ResultId != null);
            Assert.Contains(q, m => m.JobId == job && m.Status == "running");
        }
    }
}
