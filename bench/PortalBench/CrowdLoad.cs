using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

/// <summary>
/// `crowd` mode (issue 15, item 11; docs/measurements.md): against a running portal (an admin token), registers a 2AFC set
/// and a real checkpoint, queues APGD jobs back to back so the worker is busy throughout, then measures the running job's
/// time per batch (from its SignalR progress: the seconds between two increments of its item count) while the web is
/// idle, then while CLIENTS anonymous clients read `/`, `/encoders`, `/queue`, `/api/results` and `/api/jobs` in a closed
/// loop for SECONDS (each waits for its answer, then asks for the next route of the mix; compressed like a browser).
/// Prints requests/s, p50/p95 per route, the web's RSS before, at its peak and after, and the batch time under load over
/// idle. bench/crowd_load.sh starts the portal (this tree's build or another's) and runs this.
/// </summary>
static class CrowdLoad
{
    private static readonly string[] Mix = ["/", "/encoders", "/queue", "/api/results", "/api/jobs"];

    public static async Task<int> Run(string url, string token, int webPid, string dataset, string checkpoint, int clients, int seconds, int iterations, string? database = null)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var bench = await Post(admin, "/api/benchmarks", new { name = "crowd 2afc", dataset_root = dataset, format = "nights", split = DatasetSplit.Of(dataset) });
        var benchId = bench.GetProperty("id").GetInt32();
        var body = new StreamContent(File.OpenRead(checkpoint));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var encoderId = (await Json(await admin.PostAsync("/api/encoders/upload?name=crowd-bench", body))).GetProperty("encoder").GetProperty("id").GetInt32();
        var until = DateTime.UtcNow.AddMinutes(5);
        while ((await Json(await admin.GetAsync($"/api/encoders/{encoderId}"))).GetProperty("status").GetString() is var s && s != "ready")
        {
            if (s == "rejected" || DateTime.UtcNow > until) { Console.Error.WriteLine($"encoder not validated: {s}"); return 1; }
            await Task.Delay(300);
        }

        // Batch times from progress: an increment of a job's item count ends a batch; the first one of a job has no start.
        // Progress is coalesced (Portal:Progress:ThrottleMs), so short batches read as the throttle: the items done per
        // second over each window (every increment, whatever it spans) is the measure that holds.
        var batches = new ConcurrentQueue<(double At, double Seconds)>();
        var items = new ConcurrentQueue<(double At, int Items)>();
        var last = new ConcurrentDictionary<int, (int Done, double At)>();
        var clock = Stopwatch.StartNew();
        await using var hub = new HubConnectionBuilder().WithUrl($"{url}/hubs/progress").Build();
        hub.On<JsonElement>("progress", m =>
        {
            var (job, done, now) = (m.GetProperty("jobId").GetInt32(), m.GetProperty("done").GetInt32(), clock.Elapsed.TotalSeconds);
            if (m.GetProperty("status").GetString() != "running") { last.TryRemove(job, out _); return; }
            if (last.TryGetValue(job, out var prev) && done > prev.Done) { batches.Enqueue((now, now - prev.At)); items.Enqueue((now, done - prev.Done)); }
            if (!last.TryGetValue(job, out prev) || done > prev.Done) last[job] = (done, now);
        });
        await hub.StartAsync();
        await hub.InvokeAsync("WatchQueue");

        // Enough work for idle + load + idle: jobs differ by seed only, so none reuses another's result. Six were too few: a
        // fast encoder finished most of them in the idle window and the worker sat idle under load, which read as a slowdown
        // (the worker's CPU below says whether it had work).
        for (int seed = 0; seed < 40; seed++)
            await Post(admin, "/api/jobs", new { encoder_id = encoderId, benchmark_id = benchId, presets = new[] { "linf-4" }, iterations, seed });
        // The job's own progress as its worker writes it (jobs.Done in the database), read beside the web: what arrives over
        // SignalR has passed through the web, which a crowd slows by design (it runs niced), so its rate under load also
        // measures the web's relay. Both are printed; the database's is the job's speed.
        var written = new ConcurrentQueue<(double At, long Done)>();
        using var polling = new CancellationTokenSource();
        var poller = database == null ? Task.CompletedTask : Task.Run(async () =>
        {
            await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            await db.OpenAsync();
            while (!polling.IsCancellationRequested)
            {
                await using var cmd = db.CreateCommand();
                cmd.CommandText = "SELECT COALESCE(SUM(Done), 0) FROM jobs WHERE BenchmarkId = $b";
                cmd.Parameters.AddWithValue("$b", benchId);
                written.Enqueue((clock.Elapsed.TotalSeconds, Convert.ToInt64(await cmd.ExecuteScalarAsync())));
                try { await Task.Delay(100, polling.Token); } catch (OperationCanceledException) { }
            }
        });
        while (batches.IsEmpty && clock.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(200);
        if (batches.IsEmpty) { Console.Error.WriteLine("no batch finished in 5 minutes"); return 1; }

        // Where the cores go: CPU seconds of the web, the worker (its engine process) and this client, per window.
        var workerPid = (await Json(await admin.GetAsync("/api/workers"))).EnumerateArray().Select(x => x.GetProperty("process_id").GetInt32()).FirstOrDefault();
        var me = Environment.ProcessId;
        (double Web, double Worker, double Client) Cpu() => (CpuSeconds(webPid), workerPid > 0 ? CpuSeconds(workerPid) : double.NaN, CpuSeconds(me));
        var idleFrom = clock.Elapsed.TotalSeconds;
        var cpuIdleFrom = Cpu();
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(15, seconds / 2)));
        var idleTo = clock.Elapsed.TotalSeconds;
        var cpuIdleTo = Cpu();
        var rssBefore = RssKb(webPid);

        // The crowd: one connection per client, Brotli/gzip like a browser, no cookies (anonymous).
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, AutomaticDecompression = DecompressionMethods.All, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var crowd = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(120) };
        crowd.DefaultRequestHeaders.AcceptEncoding.ParseAdd("br, gzip");
        crowd.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/json");
        var latencies = Mix.ToDictionary(r => r, _ => new ConcurrentBag<double>());
        long errors = 0;
        long peak = rssBefore;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var sampler = Task.Run(async () => { while (!stop.IsCancellationRequested) { peak = Math.Max(peak, RssKb(webPid)); await Task.Delay(250); } });
        var loadFrom = clock.Elapsed.TotalSeconds;
        var cpuLoadFrom = Cpu();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var i = c; !stop.IsCancellationRequested; i++)
            {
                var route = Mix[i % Mix.Length];
                var sw = Stopwatch.StartNew();
                try
                {
                    using var r = await crowd.GetAsync(route, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
                    if (r.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref errors);
                }
                catch (Exception) { Interlocked.Increment(ref errors); }
                // A request that ends after the window still counts: it was asked for inside it.
                latencies[route].Add(sw.Elapsed.TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var loadTo = clock.Elapsed.TotalSeconds;
        var cpuLoadTo = Cpu();
        await sampler;
        await Task.Delay(2000);
        GC.Collect();
        var rssAfter = RssKb(webPid);

        var all = latencies.Values.SelectMany(v => v).Order().ToArray();
        Console.WriteLine($"{clients} anonymous clients, {loadTo - loadFrom:F1} s: {all.Length} requests, {all.Length / (loadTo - loadFrom):F1} req/s, {errors} errors, p50 {P(all, .5):F0} ms, p95 {P(all, .95):F0} ms, p99 {P(all, .99):F0} ms");
        foreach (var route in Mix)
        {
            var l = latencies[route].Order().ToArray();
            Console.WriteLine($"  {route,-13} n={l.Length,6}  p50 {P(l, .5),7:F0} ms  p95 {P(l, .95),7:F0} ms");
        }
        Console.WriteLine($"web RSS: before {rssBefore / 1024} MiB, peak {peak / 1024} MiB, after {rssAfter / 1024} MiB");

        // Batches that ended inside each window (the first load batch may have started while idle: it still counts as loaded).
        var b = batches.ToArray();
        var idle = b.Where(x => x.At > idleFrom && x.At <= idleTo).Select(x => x.Seconds).Order().ToArray();
        var loaded = b.Where(x => x.At > loadFrom && x.At <= loadTo).Select(x => x.Seconds).Order().ToArray();
        Console.WriteLine($"job batch seconds: idle median {Median(idle):F2} (n={idle.Length}), under load median {Median(loaded):F2} (n={loaded.Length}), ratio {Median(loaded) / Median(idle):F2}");
        double Rate(double from, double to) => items.Where(x => x.At > from && x.At <= to).Sum(x => x.Items) / (to - from);
        var (idleRate, loadRate) = (Rate(idleFrom, idleTo), Rate(loadFrom, loadTo));
        Console.WriteLine($"job items/s (SignalR, through the web): idle {idleRate:F1}, under load {loadRate:F1}: {idleRate / loadRate:F2}x");
        polling.Cancel();
        await poller;
        var w = written.ToArray();
        double Written(double from, double to)
        {
            var inside = w.Where(x => x.At >= from && x.At <= to).ToArray();
            return inside.Length < 2 ? double.NaN : (inside[^1].Done - inside[0].Done) / (inside[^1].At - inside[0].At);
        }
        var (dbIdle, dbLoad) = (Written(idleFrom, idleTo), Written(loadFrom, loadTo));
        string Share((double Web, double Worker, double Client) a, (double Web, double Worker, double Client) b, double seconds) =>
            $"web {(b.Web - a.Web) / seconds:F2}, worker {(b.Worker - a.Worker) / seconds:F2}, client {(b.Client - a.Client) / seconds:F2} cores";
        Console.WriteLine($"cores used: idle {Share(cpuIdleFrom, cpuIdleTo, idleTo - idleFrom)}; under load {Share(cpuLoadFrom, cpuLoadTo, loadTo - loadFrom)} of {Environment.ProcessorCount}");
        Console.WriteLine($"CPU per request: web {(cpuLoadTo.Web - cpuLoadFrom.Web) * 1000 / all.Length:F2} ms, client {(cpuLoadTo.Client - cpuLoadFrom.Client) * 1000 / all.Length:F2} ms");
        if (database != null)
            Console.WriteLine($"job items/s (written by the worker): idle {dbIdle:F1}, under load {dbLoad:F1}: the job is {dbIdle / dbLoad:F2}x slower under load");
        Console.WriteLine($"RESULT rps={all.Length / (loadTo - loadFrom):F1} p50_ms={P(all, .5):F0} p95_ms={P(all, .95):F0} encoders_p50_ms={P(latencies["/encoders"].Order().ToArray(), .5):F0} "
            + $"rss_before_mib={rssBefore / 1024} rss_peak_mib={peak / 1024} rss_after_mib={rssAfter / 1024} batch_idle_s={Median(idle):F2} batch_load_s={Median(loaded):F2} batch_ratio={Median(loaded) / Median(idle):F2} items_idle_per_s={idleRate:F1} items_load_per_s={loadRate:F1} slowdown={idleRate / loadRate:F2} db_items_idle_per_s={dbIdle:F1} db_items_load_per_s={dbLoad:F1} db_slowdown={dbIdle / dbLoad:F2} errors={errors}");
        return 0;
    }

    private static double P(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    private static double Median(double[] sorted) => sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];

    /// <summary>User + system CPU seconds of a process so far (/proc/PID/stat, clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(f[11]) + long.Parse(f[12])) / 100.0; // fields 14 and 15 (utime, stime), after pid and comm
        }
        catch (IOException) { return double.NaN; }
    }

    private static long RssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return -1;
    }

    private static async Task<JsonElement> Post(HttpClient http, string path, object body) => await Json(await http.PostAsJsonAsync(path, body));

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)r.StatusCode} {r.RequestMessage?.RequestUri}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
