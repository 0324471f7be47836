using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Support;

/// <summary>
/// A test that needs Debian's redis-server on the PATH (`.ci/run` installs it); elsewhere skipped, saying why. Each test
/// starts its own throw-away server (no persistence) on a free port.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public static string? Executable => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);

    public RedisFactAttribute()
    {
        if (Executable == null) Skip = "needs redis-server on the PATH (.ci/run installs it: apt-get install redis-server)";
    }

    /// <summary>Also needs the PostgreSQL server of <see cref="PostgresFactAttribute"/> (several web nodes share one database).</summary>
    public bool AlsoPostgres
    {
        get => _alsoPostgres;
        set
        {
            _alsoPostgres = value;
            if (value && Skip == null && PostgresFactAttribute.Server == null) Skip = new PostgresFactAttribute().Skip;
        }
    }

    private bool _alsoPostgres;
}

/// <summary>A redis-server process on 127.0.0.1 and a free port, killed on dispose.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    public RedisServer()
    {
        Port = Support.FreePort.Next();
        _process = Process.Start(new ProcessStartInfo(RedisFactAttribute.Executable!,
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < until && !_process.HasExited) { Thread.Sleep(50); }
        }
    }

    public int Port { get; }
    public string Configuration => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        try { _process.Kill(entireProcessTree: true); _process.WaitForExit(5000); }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
