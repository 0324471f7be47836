using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Portal.Web.Dispatch;

/// <summary>
/// The web below its local workers' CPU priority (Portal:Workers:WebNice, docs/measurements.md): on a machine where the web
/// and a worker share the cores, a crowd of readers must not slow the running job (its libtorch threads wait for the
/// slowest of them, so any stolen core time stalls a whole batch). Linux nice is per thread and inherited by new threads
/// and by child processes, and a process may not raise its priority again: so every thread of the web is lowered except
/// one kept at the normal priority, which starts the worker processes; threads made later inherit the lowered value.
/// Only in the portal's own process (not under a test host) and only on Linux; nothing happens when the value is 0.
/// </summary>
public static class WebPriority
{
    private static readonly BlockingCollection<Action> Spawns = new();
    private static volatile bool _lowered;

    public static int? Applied { get; private set; }

    /// <summary>Lowers every thread of this process to <paramref name="nice"/> but the spawner thread.</summary>
    public static void Lower(int nice, ILogger log)
    {
        if (nice <= 0 || _lowered || !OperatingSystem.IsLinux()) return;
        var ready = new ManualResetEventSlim();
        var spawnerTid = 0;
        var spawner = new Thread(() =>
        {
            spawnerTid = Tid();
            ready.Set();
            foreach (var work in Spawns.GetConsumingEnumerable()) work();
        }) { IsBackground = true, Name = "worker spawner (normal priority)" };
        spawner.Start();
        ready.Wait();
        var lowered = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            if (int.TryParse(Path.GetFileName(task), out var tid) && tid != spawnerTid && SetPriority(0, tid, nice) == 0) lowered++;
        _lowered = true;
        Applied = nice;
        log.LogInformation("web threads at nice {Nice} ({Count} threads), below its local workers'", nice, lowered);
    }

    /// <summary>Runs <paramref name="start"/> (a Process.Start) on the spawner thread, so the child keeps the normal priority.</summary>
    public static void Spawn(Action start)
    {
        if (!_lowered) { start(); return; }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Spawns.Add(() =>
        {
            try { start(); done.SetResult(); }
            catch (Exception e) { done.SetException(e); }
        });
        done.Task.GetAwaiter().GetResult();
    }

    private static int Tid() => int.Parse(Path.GetFileName(new DirectoryInfo("/proc/thread-self").ResolveLinkTarget(false)!.FullName));

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int prio);
}
