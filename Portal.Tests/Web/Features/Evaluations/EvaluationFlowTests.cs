using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Progress;

namespace Portal.Tests.Web.Features.Evaluations;

/// <summary>The user's path end to end: upload → validated → queue clean + APGD → live progress over SignalR → result via the API.</summary>
public sealed class EvaluationFlowTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    [Fact]
    public async Task Uploaded_checkpoint_is_validated_queued_streamed_and_stored()
    {
        using var host = new PortalHost(_dir.Path);
        // Registering the benchmark needs an admin; the upload and the jobs would do with a researcher.
        using var api = await host.ApiAs(Roles.Admin);

        // Upload the fixture checkpoint (streamed raw body) and wait for background validation.
        var bytes = await File.ReadAllBytesAsync(PortalTestData.FixtureCheckpoint());
        var up = await api.PostAsync("/api/encoders/upload?name=vit-b32-mini&submitter=tests", CheckpointContent.Of(bytes));
        var upBody = await PortalHost.ReadJson(up);
        Assert.Equal(HttpStatusCode.Accepted, up.StatusCode);
        var encoderId = upBody.GetProperty("encoder").GetProperty("id").GetInt32();
        var enc = await host.WaitFor(api, $"/api/encoders/{encoderId}", e => e.GetProperty("status").GetString() != "validating");
        Assert.True(enc.GetProperty("status").GetString() == "ready", enc.ToString());
        Assert.True(enc.GetProperty("embedding_dim").GetInt32() > 0);
        Assert.Equal(global::Portal.Engine.Checkpoints.FileHash.Sha256(bytes), enc.GetProperty("sha256").GetString());

        // The same bytes again are linked, not stored twice.
        var again = await api.PostAsync("/api/encoders/upload?name=copy", CheckpointContent.Of(bytes));
        var againBody = await PortalHost.ReadJson(again);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(againBody.GetProperty("duplicate").GetBoolean());
        Assert.Equal(encoderId, againBody.GetProperty("encoder").GetProperty("id").GetInt32());
        Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "checkpoints")));

        var data = PortalTestData.Nights(_dir, count: 12, size: 32);
        var bench = await host.PostJson(api, "/api/benchmarks", new { name = "tiny nights", dataset_root = data, format = "nights", split = "test" }, 201);
        var benchId = bench.GetProperty("id").GetInt32();
        Assert.Equal(12, bench.GetProperty("item_count").GetInt32());

        // Watch the queue through a real SignalR client before queueing.
        var messages = new ConcurrentQueue<JobProgressMessage>();
        await using var hub = host.Hub();
        hub.On<JobProgressMessage>(ProgressHub.Method, m => messages.Enqueue(m));
        await hub.StartAsync();
        await hub.InvokeAsync("WatchQueue");

        var submitted = await host.PostJson(api, "/api/jobs", new { encoder_id = encoderId, benchmark_id = benchId, presets = new[] { "clean", "linf-4" }, iterations = 3 }, 201);
        var jobIds = submitted.EnumerateArray().Select(s => s.GetProperty("job").GetProperty("id").GetInt32()).ToList();
        Assert.Equal(2, jobIds.Count);
        foreach (var id in jobIds)
        {
            var j = await host.WaitForJobEnd(api, id, TimeSpan.FromMinutes(3));
            Assert.True(j.GetProperty("status").GetString() == "succeeded", j.ToString());
        }

        // Progress arrived live: running snapshots with counts, then the final status, for both jobs.
        await WaitUntil(() => jobIds.All(id => messages.Any(m => m.JobId == id && m.Status == "succeeded")));
        Assert.Contains(messages, m => m.Status == "running" && m.Total == 12);
        var final = messages.Last(m => m.JobId == jobIds[1] && m.Status == "succeeded");
        Assert.NotNull(final.ResultId);

        // Results through the API: typed numbers, splits, sanity, and the engine's full JSON.
        var results = await host.GetJson(api, "/api/results");
        Assert.Equal(2, results.GetArrayLength());
        var robust = results.EnumerateArray().Single(r => r.GetProperty("config").GetProperty("attack").GetString() == "apgd");
        Assert.Equal(12, robust.GetProperty("n").GetInt32());
        Assert.Equal("2afc-accuracy", robust.GetProperty("metric").GetString());
        var clean = robust.GetProperty("clean_value").GetDouble();
        var rob = robust.GetProperty("robust_value").GetDouble();
        Assert.InRange(rob, 0, clean);
        Assert.Contains(robust.GetProperty("splits").EnumerateArray(), s => s.GetProperty("name").GetString() == "test_imagenet");
        var detail = await host.GetJson(api, $"/api/results/{robust.GetProperty("id").GetInt32()}");
        Assert.Equal(12, detail.GetProperty("engine_result").GetProperty("items").GetArrayLength());
        Assert.True(detail.GetProperty("sanity").GetArrayLength() > 0);

        var items = await host.GetJson(api, $"/api/jobs/{jobIds[1]}/items");
        Assert.Equal(12, items.GetArrayLength());

        var csv = await api.GetStringAsync("/api/results.csv");
        var lines = csv.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("result_id,job_id,encoder,", lines[0]);

        // An identical request reuses the finished result instead of running again.
        var reused = await host.PostJson(api, "/api/jobs", new { encoder_id = encoderId, benchmark_id = benchId, presets = new[] { "clean" } }, 201);
        Assert.Equal("reused-result", reused[0].GetProperty("outcome").GetString());
        Assert.Equal("succeeded", reused[0].GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(2, (await host.GetJson(api, "/api/results")).GetArrayLength());
    }

    [Fact]
    public async Task Queueing_a_rejected_or_unknown_encoder_is_refused_with_a_reason()
    {
        using var host = new PortalHost(_dir.Path);
        using var api = await host.ApiAs(Roles.Researcher);
        var r = await api.PostAsync("/api/jobs", System.Net.Http.Json.JsonContent.Create(new { encoder_id = 99, benchmark_id = 1, presets = new[] { "clean" } }, options: PortalHost.Json));
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("no encoder 99", (await PortalHost.ReadJson(r)).GetProperty("error").GetString());
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.True(condition(), "condition not met in time");
    }

    public void Dispose() => _dir.Dispose();
}
