using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.Tests.Fetch;

/// <summary>A request as the local server saw it.</summary>
public sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>What the server answers. <see cref="DropAfter"/> closes the connection after that many body bytes (with the full Content-Length announced).</summary>
public sealed record Reply(int Status, byte[] Body, Dictionary<string, string>? Headers = null, bool OmitContentLength = false, long? DropAfter = null, long? ClaimLength = null);

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1:0 for the fetch tests: one request per connection (Connection: close),
/// a handler per request, full control over lengths and dropped connections. Nothing here reaches the network.
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<SeenRequest, Reply> _handler;
    private readonly CancellationTokenSource _cts = new();
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public LocalHttpServer(Func<SeenRequest, Reply> handler)
    {
        _handler = handler;
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public Uri Url(string path) => new(BaseUrl + path);

    private async Task AcceptLoop()
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient c;
            try { c = await _listener.AcceptTcpClientAsync(_cts.Token); } catch { return; }
            _ = Task.Run(() => Serve(c));
        }
    }

    private async Task Serve(TcpClient c)
    {
        using var _ = c;
        try
        {
            var s = c.GetStream();
            var head = await ReadHead(s);
            if (head == null) return;
            var lines = head.Split("\r\n");
            var first = lines[0].Split(' ');
            var headers = new Dictionary<string, string>();
            foreach (var l in lines.Skip(1))
            {
                var i = l.IndexOf(':');
                if (i > 0) headers[l[..i].Trim().ToLowerInvariant()] = l[(i + 1)..].Trim();
            }
            var req = new SeenRequest(first[0], first[1], headers);
            Requests.Enqueue(req);
            var reply = _handler(req);
            var sb = new StringBuilder($"HTTP/1.1 {reply.Status} {Reason(reply.Status)}\r\nConnection: close\r\n");
            foreach (var (k, v) in reply.Headers ?? []) sb.Append($"{k}: {v}\r\n");
            if (!reply.OmitContentLength) sb.Append($"Content-Length: {reply.ClaimLength ?? reply.Body.Length}\r\n");
            sb.Append("\r\n");
            await s.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
            if (req.Method != "HEAD")
            {
                var n = (int)Math.Min(reply.Body.Length, reply.DropAfter ?? long.MaxValue);
                for (int off = 0; off < n; off += 8192) await s.WriteAsync(reply.Body.AsMemory(off, Math.Min(8192, n - off)));
            }
            await s.FlushAsync();
            if (reply.DropAfter != null) c.Client.LingerState = new LingerOption(true, 0); // reset, like a dying server
        }
        catch (IOException) { }
        catch (SocketException) { }
    }

    private static async Task<string?> ReadHead(NetworkStream s)
    {
        var buf = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await s.ReadAsync(one) == 0) return null;
            buf.Add(one[0]);
            if (buf.Count >= 4 && buf[^1] == '\n' && buf[^2] == '\r' && buf[^3] == '\n' && buf[^4] == '\r') return Encoding.ASCII.GetString(buf.ToArray(), 0, buf.Count - 4);
            if (buf.Count > 65536) return null;
        }
    }

    private static string Reason(int code) => code switch { 200 => "OK", 206 => "Partial Content", 302 => "Found", 404 => "Not Found", 416 => "Range Not Satisfiable", _ => "Status" };

    /// <summary>Serves <paramref name="data"/> with an ETag and byte ranges (honouring If-Range), as a static file server would.</summary>
    public static Reply ServeFile(SeenRequest req, byte[] data, string etag, long? dropAfter = null)
    {
        var range = req.Header("range");
        var ifRange = req.Header("if-range");
        var h = new Dictionary<string, string> { ["ETag"] = etag, ["Accept-Ranges"] = "bytes" };
        if (range != null && range.StartsWith("bytes=") && (ifRange == null || ifRange == etag))
        {
            var from = long.Parse(range["bytes=".Length..].TrimEnd('-'));
            if (from >= data.Length) return new Reply(416, [], new() { ["Content-Range"] = $"bytes */{data.Length}" });
            h["Content-Range"] = $"bytes {from}-{data.Length - 1}/{data.Length}";
            return new Reply(206, data[(int)from..], h, DropAfter: dropAfter);
        }
        return new Reply(200, data, h, DropAfter: dropAfter);
    }

    public void Dispose()
    {
        _cts.Cancel();
        _listener.Stop();
    }
}
