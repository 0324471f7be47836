using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

// Usage (against a running portal, see docs/portal.md):
//   dotnet run --project bench/PortalBench -c Release -- upload  <baseUrl> <serverPid> [bytes=2147483648]
//   dotnet run --project bench/PortalBench -c Release -- signalr <baseUrl> [clients=200] [seconds=20]
//   dotnet run --project bench/PortalBench -c Release -- workers <baseUrl> <token> <nightsDir> <checkpoint> [jobs=6] [iterations=10] [preset=linf-4]
//     (bench/worker_throughput.sh starts the portals with 1 and 2 workers and runs this against each)
//   dotnet run --project bench/PortalBench -c Release -- crowd <baseUrl> <token> <webPid> <nightsDir> <checkpoint> [clients=100] [seconds=30] [iterations=10] [portal.db]
//     (bench/crowd_load.sh starts a portal from this tree or another checkout and runs this against it)
var mode = args.ElementAtOrDefault(0);
var baseUrl = args.ElementAtOrDefault(1) ?? "http://127.0.0.1:5080";
return mode switch
{
    "upload" => await Upload(baseUrl, int.Parse(args[2]), args.Length > 3 ? long.Parse(args[3]) : 2L << 30),
    "signalr" => await SignalR(baseUrl, args.Length > 2 ? int.Parse(args[2]) : 200, args.Length > 3 ? int.Parse(args[3]) : 20),
    "workers" => await WorkerThroughput.Run(baseUrl, args[2], args[3], args[4], args.Length > 5 ? int.Parse(args[5]) : 6,
        args.Length > 6 ? int.Parse(args[6]) : 10, args.ElementAtOrDefault(7) ?? "linf-4"),
    "crowd" => await CrowdLoad.Run(baseUrl, args[2], int.Parse(args[3]), args[4], args[5], args.Length > 6 ? int.Parse(args[6]) : 100,
        args.Length > 7 ? int.Parse(args[7]) : 30, args.Length > 8 ? int.Parse(args[8]) : 10, args.Length > 9 ? args[9] : null),
    _ => Usage(),
};

static int Usage() { Console.Error.WriteLine("usage: PortalBench upload <url> <serverPid> [bytes] | signalr <url> [clients] [seconds] | workers <url> <token> <nightsDir> <checkpoint> [jobs] [iterations] [preset] | crowd <url> <token> <webPid> <nightsDir> <checkpoint> [clients] [seconds] [iterations] [portal.db]"); return 2; }

static long RssKb(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    return -1;
}

static async Task<int> Upload(string url, int pid, long bytes)
{
    var baseline = RssKb(pid);
    long peak = baseline;
    using var cts = new CancellationTokenSource();
    var sampler = Task.Run(async () => { while (!cts.IsCancellationRequested) { peak = Math.Max(peak, RssKb(pid)); await Task.Delay(100); } });
    using var http = new HttpClient { Timeout = TimeSpan.FromHours(1) };
    var sw = Stopwatch.StartNew();
    var content = new StreamContent(new SyntheticStream(bytes), 1 << 20);
    content.Headers.ContentLength = bytes;
    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
    var r = await http.PostAsync($"{url}/api/encoders/upload?name=bench-2gb", content);
    var elapsed = sw.Elapsed.TotalSeconds;
    var body = await r.Content.ReadAsStringAsync();
    await Task.Delay(500);
    cts.Cancel(); await sampler;
    var after = RssKb(pid);
    Console.WriteLine($"upload {bytes / (1 << 20)} MiB: HTTP {(int)r.StatusCode} in {elapsed:F1} s ({bytes / elapsed / (1 << 20):F0} MiB/s)");
    Console.WriteLine($"server RSS: before {baseline / 1024} MiB, peak during upload {peak / 1024} MiB, after {after / 1024} MiB (growth {(peak - baseline) / 1024} MiB)");
    Console.WriteLine(body.Length > 300 ? body[..300] : body);
    return r.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK ? 0 : 1;
}

static async Task<int> SignalR(string url, int clients, int seconds)
{
    var lags = new List<double>();
    var gate = new Lock();
    long received = 0;
    var connections = new List<HubConnection>();
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < clients; i++)
    {
        var c = new HubConnectionBuilder().WithUrl($"{url}/hubs/progress").Build();
        c.On<JsonElement>("progress", m =>
        {
            var lag = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - m.GetProperty("sentAtUnixMs").GetInt64();
            lock (gate) { lags.Add(lag); received++; }
        });
        connections.Add(c);
    }
    await Task.WhenAll(connections.Select(async c => { await c.StartAsync(); await c.InvokeAsync("WatchQueue"); }));
    Console.WriteLine($"{clients} clients connected in {sw.Elapsed.TotalSeconds:F1} s; listening {seconds} s");
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
    double[] sorted;
    lock (gate) sorted = lags.Order().ToArray();
    if (sorted.Length == 0) { Console.WriteLine("no progress messages received: is a job running?"); return 1; }
    double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    Console.WriteLine($"messages received: {received} ({received / (double)clients:F1} per client, {received / (double)seconds:F0}/s total)");
    Console.WriteLine($"lag ms: p50 {P(0.5)}  p95 {P(0.95)}  p99 {P(0.99)}  max {sorted[^1]}");
    return 0;
}

/// <summary>Deterministic bytes generated on the fly: the client needs no 2 GB file and no memory for it.</summary>
sealed class SyntheticStream(long length) : Stream
{
    private long _pos;
    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - _pos);
        for (int i = 0; i < n; i++) buffer[offset + i] = (byte)((_pos + i) * 2654435761L >> 13);
        _pos += n;
        return n;
    }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _pos; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
    public override void SetLength(long v) => throw new NotSupportedException();
    public override void Write(byte[] b, int o, int c) => throw new NotSupportedException();
}
