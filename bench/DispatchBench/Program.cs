using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using Hangfire.States;
using Npgsql;
using Portal.Web.Configuration;
using Portal.Web.Dispatch;

// dotnet run --project bench/DispatchBench -c Release -- [workers=16] [jobs=1000] [sleepMs=20] [postgres connection string | sqlite]
// N Hangfire servers (one worker thread each, as a `portal worker`) on the portal's storage settings take M stub jobs
// that sleep; it counts executions per job (none twice, none lost) and prints queued→started latency and the dispatch
// overhead per job = (wall × workers − jobs × sleep) / jobs.
var workers = args.Length > 0 ? int.Parse(args[0]) : 16;
var jobs = args.Length > 1 ? int.Parse(args[1]) : 1000;
var sleepMs = args.Length > 2 ? int.Parse(args[2]) : 20;
var target = args.Length > 3 ? args[3] : Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") ?? "sqlite";

var root = Directory.CreateTempSubdirectory("dispatch-bench-").FullName;
var options = new PortalOptions { DataRoot = root };
options.Worker.PollSeconds = 0.1;
string? dbName = null;
if (target != "sqlite")
{
    dbName = "portal_bench_" + Guid.NewGuid().ToString("N")[..8];
    using (var c = new NpgsqlConnection(target)) { c.Open(); new NpgsqlCommand($"CREATE DATABASE {dbName}", c).ExecuteNonQuery(); }
    options.Database.Provider = DatabaseOptions.Postgres;
    options.Database.ConnectionString = new NpgsqlConnectionStringBuilder(target) { Database = dbName }.ToString();
}
HangfireStorage.ConfigureSerialization();
var storage = HangfireStorage.Create(options, new DataPaths(root));
Stub.Sleep = sleepMs;

var client = new BackgroundJobClient(storage);
var servers = Enumerable.Range(0, workers).Select(i => new BackgroundJobServer(new BackgroundJobServerOptions
{
    ServerName = $"bench-{i}", WorkerCount = 1, Queues = ["default"], SchedulePollingInterval = TimeSpan.FromSeconds(1),
}, storage)).ToList();

var wall = Stopwatch.StartNew();
for (int i = 0; i < jobs; i++)
{
    Stub.Queued[i] = Stopwatch.GetTimestamp();
    client.Create(() => Stub.Run(i), new EnqueuedState("default"));
}
var enqueueSeconds = wall.Elapsed.TotalSeconds;
while (Stub.Finished.Count < jobs && wall.Elapsed < TimeSpan.FromMinutes(10)) Thread.Sleep(50);
var total = wall.Elapsed.TotalSeconds;
foreach (var s in servers) s.SendStop();
foreach (var s in servers) s.Dispose();

var twice = Stub.Runs.Count(kv => kv.Value > 1);
var lost = jobs - Stub.Runs.Count;
var latencies = Stub.Started.Select(kv => (kv.Value - Stub.Queued[kv.Key]) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
Console.WriteLine($"storage {(dbName != null ? "postgresql" : "sqlite")}, {workers} workers, {jobs} jobs of {sleepMs} ms");
Console.WriteLine($"  ran twice: {twice}, lost: {lost}, wall {total:F1} s (enqueue {enqueueSeconds:F1} s), {jobs / total:F1} jobs/s");
Console.WriteLine($"  queued → started: p50 {P(0.5):F0} ms, p95 {P(0.95):F0} ms (includes waiting for a free worker)");
Console.WriteLine($"  dispatch overhead per job: {(total * workers - jobs * sleepMs / 1000.0) / jobs * 1000:F0} ms of worker time");
if (dbName != null)
{
    NpgsqlConnection.ClearAllPools();
    using var c = new NpgsqlConnection(target); c.Open(); new NpgsqlCommand($"DROP DATABASE {dbName} WITH (FORCE)", c).ExecuteNonQuery();
}
Directory.Delete(root, recursive: true);

public static class Stub
{
    public static int Sleep;
    public static readonly ConcurrentDictionary<int, long> Queued = new(), Started = new();
    public static readonly ConcurrentDictionary<int, int> Runs = new();
    public static readonly ConcurrentDictionary<int, bool> Finished = new();

    public static void Run(int id)
    {
        Started.TryAdd(id, Stopwatch.GetTimestamp());
        Runs.AddOrUpdate(id, 1, (_, n) => n + 1);
        Thread.Sleep(Sleep);
        Finished[id] = true;
    }
}
