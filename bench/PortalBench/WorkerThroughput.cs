using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

/// <summary>
/// `workers` mode: against a running portal (an admin token), registers a 2AFC dataset and a real checkpoint, waits for
/// its validation, queues JOBS evaluation jobs that differ only in their seed (so none reuses another's result) and
/// reports the wall time from the first queued to the last finished, jobs per minute, queued → running latency, and
/// which worker ran each job. bench/worker_throughput.sh runs it against portals with 1 and with 2 local workers.
/// </summary>
static class WorkerThroughput
{
    public static async Task<int> Run(string url, string token, string dataset, string checkpoint, int jobs, int iterations, string preset)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var bench = await Post(http, "/api/benchmarks", new { name = "throughput 2afc", dataset_root = dataset, format = "nights", split = DatasetSplit.Of(dataset) });
        var benchId = bench.GetProperty("id").GetInt32();

        var body = new StreamContent(File.OpenRead(checkpoint));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var up = await http.PostAsync("/api/encoders/upload?name=" + Uri.EscapeDataString(Path.GetFileNameWithoutExtension(checkpoint)), body);
        var uploaded = await Json(up);
        var encoderId = uploaded.GetProperty("encoder").GetProperty("id").GetInt32();
        var until = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var e = await Json(await http.GetAsync($"/api/encoders/{encoderId}"));
            var status = e.GetProperty("status").GetString();
            if (status == "ready") break;
            if (status == "rejected" || DateTime.UtcNow > until) { Console.Error.WriteLine($"encoder not validated: {e}"); return 1; }
            await Task.Delay(200);
        }

        var wall = Stopwatch.StartNew();
        var ids = new List<int>();
        for (int seed = 0; seed < jobs; seed++)
        {
            var r = await Post(http, "/api/jobs", new { encoder_id = encoderId, benchmark_id = benchId, presets = new[] { preset }, iterations, seed });
            ids.Add(r[0].GetProperty("job").GetProperty("id").GetInt32());
        }
        var done = new Dictionary<int, JsonElement>();
        while (done.Count < ids.Count && wall.Elapsed < TimeSpan.FromMinutes(60))
        {
            foreach (var id in ids.Where(i => !done.ContainsKey(i)))
            {
                var j = await Json(await http.GetAsync($"/api/jobs/{id}"));
                if (j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled") done[id] = j;
            }
            await Task.Delay(250);
        }
        var seconds = wall.Elapsed.TotalSeconds;
        var failed = done.Values.Count(j => j.GetProperty("status").GetString() != "succeeded");
        var waits = done.Values.Select(j => (Time(j, "started_at") - Time(j, "created_at")).TotalSeconds).Order().ToArray();
        var byWorker = done.Values.GroupBy(j => j.TryGetProperty("worker_id", out var w) && w.ValueKind == JsonValueKind.String ? w.GetString()! : "?")
            .Select(g => $"{g.Key}: {g.Count()}");
        Console.WriteLine($"{jobs} jobs ({preset}, {iterations} iterations), {done.Count} ended, {failed} not succeeded: wall {seconds:F1} s, {jobs * 60 / seconds:F2} jobs/min");
        Console.WriteLine($"  queued → running: p50 {waits.ElementAtOrDefault(waits.Length / 2):F1} s, max {waits.LastOrDefault():F1} s; by worker: {string.Join(", ", byWorker)}");
        Console.WriteLine($"RESULT wall_s={seconds:F2} jobs={jobs} failed={failed}");
        return failed == 0 && done.Count == jobs ? 0 : 1;
    }

    private static DateTime Time(JsonElement j, string name) =>
        j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetDateTime() : DateTime.MinValue;

    private static async Task<JsonElement> Post(HttpClient http, string path, object body) => await Json(await http.PostAsJsonAsync(path, body));

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)r.StatusCode} {r.RequestMessage?.RequestUri}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
