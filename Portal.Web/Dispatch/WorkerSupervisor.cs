using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Portal.Web.Dispatch;

/// <summary>
/// Starts one worker process, keeps it running and notices how it ended. The child's stdout/stderr are forwarded to
/// the log; its resident memory is checked several times a second against the limit; when it dies, what it held goes
/// back to the queue (or fails after too many deaths, <see cref="WorkerLoss"/>) with its last meaningful stderr line,
/// and it is started again after a growing pause. The web runs one per local worker; `portal worker` runs one too.
/// </summary>
public sealed class WorkerSupervisor(string name, Func<WorkerProcessLaunch> launch, double maxMemoryGiB, WorkerLoss loss, ILogger log)
{
    private readonly Queue<string> _stderr = new();
    private readonly Lock _gate = new();

    public int Starts { get; private set; }
    public Process? Current { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            string reason; bool died;
            try { (reason, died) = await RunOnceAsync(stop); }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or FileNotFoundException or InvalidOperationException)
            {
                (reason, died) = ($"could not start: {e.Message}", false);
                log.LogError("worker {Name} {Reason}", name, reason);
            }
            try { await loss.WorkerEndedAsync(name, reason, died, CancellationToken.None); }
            catch (Exception e) { log.LogError("worker {Name} ended ({Reason}) but the database could not be told: {Message}", name, reason, e.Message); }
            if (stop.IsCancellationRequested) break;
            // A worker that ran for a while gets restarted at once; one that keeps dying is restarted ever more slowly.
            backoff = DateTime.UtcNow - started > TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            log.LogWarning("worker {Name} ended: {Reason}; restarting in {Delay:F0} s", name, reason, backoff.TotalSeconds);
            try { await Task.Delay(backoff, stop); } catch (OperationCanceledException) { break; }
        }
    }

    private async Task<(string Reason, bool Died)> RunOnceAsync(CancellationToken stop)
    {
        lock (_gate) _stderr.Clear();
        using var p = new Process { StartInfo = launch().StartInfo(), EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) log.LogInformation("[{Name}] {Line}", name, e.Data); };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (_gate) { _stderr.Enqueue(e.Data); while (_stderr.Count > 200) _stderr.Dequeue(); }
            log.LogWarning("[{Name}] {Line}", name, e.Data);
        };
        WebPriority.Spawn(() => p.Start()); // the worker keeps the normal priority when the web lowered its own
        Starts++;
        Current = p;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        log.LogInformation("worker {Name} started (pid {Pid})", name, p.Id);
        string? killedFor = null;
        var exited = p.WaitForExitAsync(CancellationToken.None);
        try
        {
            while (!exited.IsCompleted)
            {
                await Task.WhenAny(exited, Task.Delay(200, stop));
                if (stop.IsCancellationRequested) break;
                if (maxMemoryGiB > 0 && ResidentGiB(p.Id) is { } rss && rss > maxMemoryGiB)
                {
                    killedFor = string.Create(CultureInfo.InvariantCulture, $"it exceeded Worker:MaxMemoryGiB ({rss:F2} GiB resident, limit {maxMemoryGiB:F2} GiB) and was killed");
                    TryKill(p);
                }
            }
            if (stop.IsCancellationRequested && !p.HasExited)
            {
                Terminate(p.Id);
                if (!p.WaitForExit(TimeSpan.FromSeconds(15))) TryKill(p);
                return ("stopped with its supervisor", false);
            }
            await exited;
            p.WaitForExit(); // drains the redirected streams
        }
        finally { Current = null; }
        if (stop.IsCancellationRequested) return ("stopped with its supervisor", false);
        if (killedFor != null) return (killedFor, true);
        return p.ExitCode == 0 ? ("exited normally", false) : ($"exit code {p.ExitCode}: {LastWords()}", true);
    }

    /// <summary>The most telling stderr line: a runtime's fatal message if there is one, else the last line that is not a stack frame.</summary>
    public string LastWords()
    {
        string[] lines;
        lock (_gate) lines = [.. _stderr];
        var fatal = lines.LastOrDefault(l => l.Contains("Stack overflow", StringComparison.OrdinalIgnoreCase)
            || l.Contains("OutOfMemory", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("terminate called", StringComparison.Ordinal) || l.Contains("Fatal error", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("Process terminated", StringComparison.Ordinal));
        var last = fatal ?? lines.LastOrDefault(l => !string.IsNullOrWhiteSpace(l) && !l.TrimStart().StartsWith("at ", StringComparison.Ordinal)
            && !l.TrimStart().StartsWith("---", StringComparison.Ordinal) && !l.TrimStart().StartsWith("Repeat", StringComparison.Ordinal));
        return last?.Trim() is { Length: > 0 } s ? (s.Length > 500 ? s[..500] + "…" : s) : "(no output on stderr)";
    }

    /// <summary>VmRSS of a process in GiB (Linux /proc), null elsewhere or when it is gone.</summary>
    public static double? ResidentGiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / (1024.0 * 1024.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    private static void TryKill(Process p)
    {
        try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int sig);

    /// <summary>SIGTERM: the worker's host stops, hands its job back and exits.</summary>
    private static void Terminate(int pid)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) { try { SysKill(pid, 15); } catch (DllNotFoundException) { } }
    }
}
