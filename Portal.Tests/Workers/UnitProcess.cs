using System.Diagnostics;
using System.Text;

namespace Portal.Tests.Workers;

/// <summary>A process started from a deploy/systemd unit (<see cref="SystemdUnit.Start"/>), its output kept for failure messages; killed on dispose.</summary>
public sealed class UnitProcess : IDisposable
{
    private readonly Process _p;
    private readonly StringBuilder _log = new();

    public UnitProcess(ProcessStartInfo psi)
    {
        _p = new Process { StartInfo = psi };
        _p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _p.Start();
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public bool Exited => _p.HasExited;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>systemd's stop without the grace period.</summary>
    public void Dispose()
    {
        if (!_p.HasExited)
        {
            _p.Kill(entireProcessTree: true);
            _p.WaitForExit(10_000);
        }
        _p.Dispose();
    }
}
