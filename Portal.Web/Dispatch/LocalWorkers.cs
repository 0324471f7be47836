using System.Globalization;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;

namespace Portal.Web.Dispatch;

/// <summary>
/// The embedded default: the web starts <see cref="WorkersOptions.Local"/> worker processes on this machine and keeps
/// them running (<see cref="WorkerSupervisor"/>). They share the web's database and data folder.
/// </summary>
public sealed class LocalWorkers(IOptions<PortalOptions> options, IConfiguration config, DataPaths paths, WorkerLoss loss, ILoggerFactory logs) : BackgroundService
{
    private readonly List<WorkerSupervisor> _supervisors = [];

    public IReadOnlyList<WorkerSupervisor> Supervisors => _supervisors;

    public static string NameOf(int index) => $"local-{index}@{Environment.MachineName}";

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var o = options.Value;
        if (!o.Worker.Enabled || o.Workers.Local <= 0) return;
        var log = logs.CreateLogger("Portal.Workers");
        await WorkerProcessLaunch.EnsureBuiltAsync(o.Workers.Command, log, stop);
        var runs = new List<Task>();
        for (var i = 1; i <= o.Workers.Local; i++)
        {
            var name = NameOf(i);
            var args = new List<string>
            {
                "--in-process", "--name", name, "--queues", string.Join(",", o.Workers.Queues.Select(JobDispatcher.QueueName)),
                "--device", o.Worker.Device, "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            };
            if (LocalWorkerThreads.For(Environment.ProcessorCount, o.Workers.Local, o.Workers.WebCores, o.Worker.Threads) is int threads)
                args.AddRange(["--threads", threads.ToString(CultureInfo.InvariantCulture)]);
            // The child resolves the same data folder even if its working directory differs.
            var s = new WorkerSupervisor(name, () => WorkerProcessLaunch.For(o.Workers.Command, Overridden(config, paths), args), o.Worker.MaxMemoryGiB, loss, log);
            _supervisors.Add(s);
            runs.Add(s.RunAsync(stop));
        }
        await Task.WhenAll(runs);
    }

    private static IConfiguration Overridden(IConfiguration config, DataPaths paths) => new ConfigurationBuilder()
        .AddConfiguration(config)
        .AddInMemoryCollection([new("Portal:DataRoot", paths.Root)])
        .Build();
}
