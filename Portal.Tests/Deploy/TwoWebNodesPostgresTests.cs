using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Progress;

namespace Portal.Tests.Deploy;

/// <summary>
/// Two web nodes on one PostgreSQL database and storage root, the worker beside one of them: a job queued through
/// node B runs on node A's worker, and SignalR viewers of both nodes see it live to the end: with no backplane (each
/// node's relay follows the shared jobs table) and on the Redis backplane (one sender for all; docs/deployment.md,
/// "Progress across machines").
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

    private Dictionary<string, string?> Settings(bool worker, string? redis = null) => new()
    {
        ["Portal:Database:Provider"] = "postgres",
        ["Portal:Database:ConnectionString"] = _db.ConnectionString,
        ["Portal:Worker:Enabled"] = worker ? "true" : "false",
        ["Portal:Progress:ThrottleMs"] = "50",
        ["Portal:Progress:Redis"] = redis,
    };

    [PostgresFact]
    public async Task Viewers_of_both_nodes_follow_a_job_queued_on_one_and_run_beside_the_other()
    {
        using var nodeA = new PortalHost(_dir.Path, Settings(worker: true));
        using var nodeB = new PortalHost(_dir.Path, Settings(worker: false));
        await using var hubA = nodeA.Hub();
        await using var hubB = nodeB.Hub();
        var (job, seen) = await RunJobWatchedOnBoth(nodeA, nodeB, hubA, hubB);
        foreach (var q in seen)
        {
            Assert.Contains(q, m => m.JobId == job && m.Status == "succeeded" && m.ResultId != null);
            Assert.Contains(q, m => m.JobId == job && m.Status == "running");
        }
    }

    /// <summary>
    /// With the Redis backplane one node (the sender-lease holder) sends for all: both nodes' viewers get the same
    /// single stream of the job (same sequence numbers, the final status once), and a message only one node has
    /// reaches the other node's viewers.
    /// </summary>
    [RedisFact(AlsoPostgres = true)]
    public async Task On_the_Redis_backplane_viewers_of_both_nodes_get_one_stream_each_message_once()
    {
        using var redis = new RedisServer();
        using var nodeA = new PortalHost(_dir.Path, Settings(worker: true, redis.Configuration));
        using var nodeB = new PortalHost(_dir.Path, Settings(worker: false, redis.Configuration));
        await using var hubA = nodeA.Hub();
        await using var hubB = nodeB.Hub();
        var (job, seen) = await RunJobWatchedOnBoth(nodeA, nodeB, hubA, hubB);
        await Task.Delay(1000); // anything a second sender would add has arrived by now
        var streams = seen.Select(q => q.Where(m => m.JobId == job).Select(m => (m.Sequence, m.Status, m.Done)).ToList()).ToList();
        Assert.Contains(streams[0], m => m.Status == "running");
        Assert.Single(streams[0], m => m.Status == "succeeded");
        Assert.Equal(streams[0], streams[1]);

        var holders = new[] { nodeA, nodeB }.Where(n => n.Services.GetRequiredService<IHubSendLease>().Held).ToList();
        var holder = Assert.Single(holders);
        var only = new JobProgressMessage(int.MaxValue, "running", "only on one node", 1, 2, null, null, null, null, null);
        holder.Services.GetRequiredService<ProgressBroadcaster>().Publish(only, immediate: true);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!seen.All(q => q.Any(m => m.JobId == int.MaxValue)) && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.All(seen, q => Assert.Single(q, m => m.JobId == int.MaxValue));
    }

    private async Task<(int Job, ConcurrentQueue<JobProgressMessage>[] Seen)> RunJobWatchedOnBoth(PortalHost nodeA, PortalHost nodeB, HubConnection hubA, HubConnection hubB)
    {
        using var adminB = await nodeB.ApiAs(Roles.Admin);
        var data = PortalTestData.Nights(_dir, count: 24, size: 32);
        var bench = (await nodeB.PostJson(adminB, "/api/benchmarks", new { name = "nights 24", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var enc = (await nodeB.PostJson(adminB, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();

        var seen = new[] { new ConcurrentQueue<JobProgressMessage>(), new ConcurrentQueue<JobProgressMessage>() };
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
        return (job, seen);
    }
}
