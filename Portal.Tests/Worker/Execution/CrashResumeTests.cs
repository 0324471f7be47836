using System.Text.Json;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Jobs;
using Portal.Worker.Execution;
using Portal.Worker.Models;

namespace Portal.Tests.Worker.Execution;

/// <summary>A job interrupted by its host going away resumes in a new host on the same database and ends with the same numbers.</summary>
public sealed class CrashResumeTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    /// <summary>Once enough items are stored, holds the worker until the host shuts down (the job token fires).</summary>
    private sealed class StopAfter(int items) : IEvaluationHooks
    {
        public readonly TaskCompletionSource Reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void AfterItemsStored(int jobId, int storedCount, CancellationToken jobToken)
        {
            if (storedCount < items) return;
            Reached.TrySetResult();
            jobToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Records the stored-item count after each batch.</summary>
    private sealed class StoredCounts : IEvaluationHooks
    {
        public readonly List<int> Counts = [];
        public void AfterItemsStored(int jobId, int storedCount, CancellationToken jobToken) { lock (Counts) Counts.Add(storedCount); }
    }

    /// <summary>The interrupted host batches by 6; the host that resumes has the tests' 4: the job keeps its 6.</summary>
    private static readonly Dictionary<string, string?> BatchOfSix = new() { ["Portal:Worker:BatchSize"] = "6" };

    private static object JobRequest(int encoderId, int benchId) =>
        new { encoder_id = encoderId, benchmark_id = benchId, presets = new[] { "linf-4" }, iterations = 5 };

    private static async Task<(int Encoder, int Bench)> Setup(PortalHost host, HttpClient api, string data)
    {
        var e = await host.PostJson(api, "/api/encoders/builtin", new { name = "ssim", size = 32 });
        var b = await host.PostJson(api, "/api/benchmarks", new { name = "crash set", dataset_root = data }, 201);
        return (e.GetProperty("id").GetInt32(), b.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Interrupted_job_resumes_to_the_numbers_of_an_uninterrupted_run()
    {
        var data = PortalTestData.Nights(_dir, count: 24, size: 32, seed: 11);

        // Reference: the same job, uninterrupted, in its own data folder.
        JsonElement reference, referenceItems;
        using (var refDir = new FixturePaths.TempDir())
        using (var host = new PortalHost(refDir.Path, BatchOfSix))
        using (var api = await host.ApiAs(Roles.Admin))
        {
            var (enc, bench) = await Setup(host, api, data);
            var job = (await host.PostJson(api, "/api/jobs", JobRequest(enc, bench), 201))[0].GetProperty("job").GetProperty("id").GetInt32();
            var end = await host.WaitForJobEnd(api, job);
            Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
            reference = (await host.GetJson(api, "/api/results"))[0];
            referenceItems = await host.GetJson(api, $"/api/jobs/{job}/items");
        }

        var db = Path.Combine(_dir.Path, "data");
        int jobId;
        var hook = new StopAfter(8);
        using (var host = new PortalHost(db, BatchOfSix, hooks: hook))
        using (var api = await host.ApiAs(Roles.Admin))
        {
            var (enc, bench) = await Setup(host, api, data);
            jobId = (await host.PostJson(api, "/api/jobs", JobRequest(enc, bench), 201))[0].GetProperty("job").GetProperty("id").GetInt32();
            await hook.Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        } // host stopped mid-job, exactly as a crash would leave it

        // Read what the dead host left before a new one starts (its worker would resume at once).
        Assert.InRange(StoredItems(Path.Combine(db, Portal.Data.DataFolder.DatabaseFileName), jobId), 8, 23);

        var resumed = new StoredCounts();
        using (var host = new PortalHost(db, hooks: resumed))
        using (var api = host.Api())
        {
            var end = await host.WaitForJobEnd(api, jobId);
            Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
            Assert.Equal(2, end.GetProperty("attempts").GetInt32());
            Assert.Equal(6, end.GetProperty("batch_size").GetInt32());
            Assert.Equal("configured (Worker:BatchSize)", end.GetProperty("batch_sizing").GetString());
            // The resumed attempt stored batches of 6, as the first did, not this host's 4.
            lock (resumed.Counts)
            {
                Assert.NotEmpty(resumed.Counts);
                Assert.All(resumed.Counts.Zip(resumed.Counts.Skip(1)), p => Assert.Equal(6, p.Second - p.First));
                Assert.Equal(0, resumed.Counts[0] % 6);
            }

            var results = await host.GetJson(api, "/api/results");
            Assert.Equal(1, results.GetArrayLength());
            var r = results[0];
            Assert.Equal(reference.GetProperty("n").GetInt32(), r.GetProperty("n").GetInt32());
            Assert.Equal(reference.GetProperty("clean_value").GetDouble(), r.GetProperty("clean_value").GetDouble());
            Assert.Equal(reference.GetProperty("robust_value").GetDouble(), r.GetProperty("robust_value").GetDouble());

            var items = await host.GetJson(api, $"/api/jobs/{jobId}/items");
            Assert.Equal(24, items.GetArrayLength());
            var byId = referenceItems.EnumerateArray().ToDictionary(i => i.GetProperty("item_id").GetString()!);
            foreach (var i in items.EnumerateArray())
            {
                var refItem = byId[i.GetProperty("item_id").GetString()!];
                Assert.Equal(refItem.GetProperty("clean_correct").GetBoolean(), i.GetProperty("clean_correct").GetBoolean());
                Assert.Equal(refItem.GetProperty("robust_correct").ToString(), i.GetProperty("robust_correct").ToString());
            }
        }
    }

    private static long StoredItems(string databaseFile, int jobId)
    {
        using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databaseFile};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM job_items WHERE JobId = $id";
        cmd.Parameters.AddWithValue("$id", jobId);
        return (long)cmd.ExecuteScalar()!;
    }

    public void Dispose() => _dir.Dispose();
}
