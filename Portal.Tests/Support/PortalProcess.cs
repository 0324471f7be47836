using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Portal.Web.Dispatch;

namespace Portal.Tests.Support;

/// <summary>
/// A real portal process started by a test — a `portal worker` or a web node, as on another machine: only the database
/// and the storage root are shared. Its output is kept for failure messages; disposing kills it.
/// </summary>
public sealed class PortalProcess : IDisposable
{
    private readonly Process _p;
    private readonly StringBuilder _log = new();

    public PortalProcess(string name, ProcessStartInfo start)
    {
        Name = name;
        _p = new Process { StartInfo = start };
        _p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _p.Start();
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    /// <summary>`Portal.Cli worker --in-process` (no supervisor) with <paramref name="settings"/> passed as configuration.</summary>
    public static PortalProcess InProcessWorker(string name, IReadOnlyDictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var launch = WorkerProcessLaunch.For(Path.Combine(AppContext.BaseDirectory, WorkerProcessLaunch.CliName), config,
            ["--in-process", "--name", name, "--queues", "default", "--threads", "1"]);
        return new PortalProcess(name, launch.StartInfo());
    }

    public string Name { get; }
    public bool Exited => _p.HasExited;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>SIGKILL of the whole process tree: no shutdown code runs, as when a machine is switched off.</summary>
    public void Kill()
    {
        _p.Kill(entireProcessTree: true);
        _p.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_p.HasExited) Kill();
        _p.Dispose();
    }
}
