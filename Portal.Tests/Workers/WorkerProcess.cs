using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Portal.Web.Dispatch;

namespace Portal.Tests.Workers;

/// <summary>A real `Portal.Cli worker --in-process` started by a test (as on another machine: only the database and the storage root are shared).</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _p;
    private readonly StringBuilder _log = new();

    public WorkerProcess(string name, IReadOnlyDictionary<string, string?> settings)
    {
        Name = name;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var launch = WorkerProcessLaunch.For(Path.Combine(AppContext.BaseDirectory, WorkerProcessLaunch.CliName), config,
            ["--in-process", "--name", name, "--queues", "default", "--threads", "1"]);
        _p = new Process { StartInfo = launch.StartInfo() };
        _p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _p.Start();
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public string Name { get; }
    public bool Exited => _p.HasExited;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine is switched off.</summary>
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
