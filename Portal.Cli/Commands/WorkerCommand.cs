using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Dispatch;
using Portal.Worker;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal worker [--device cpu|cuda:N] [--queues a,b] [--name N] [--threads N]`: an evaluation worker. By default it
/// supervises itself: the engine runs in a child process (`--in-process`) that is restarted when it dies, with the
/// memory limit (Portal:Worker:MaxMemoryGiB) enforced and its last words recorded on the job it held. Settings (database,
/// data folder) come from appsettings.json and Portal__… environment variables, as for the web.
/// </summary>
public sealed class WorkerCommand : ICommand
{
    public string[] Path => ["worker"];
    public string Summary => "run an evaluation worker (Hangfire server for the portal's queues)";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "in-process" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var device = args.Get("device") ?? "cpu";
        var queues = (args.Get("queues") ?? DispatchOptions.DefaultQueue).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var q in queues) JobDispatcher.QueueName(q);
        var name = args.Get("name") ?? WorkerIdentity.DefaultName();
        var threads = args.Int("threads", 0);
        var parent = args.Get("parent-pid") is { } pp ? int.Parse(pp, CultureInfo.InvariantCulture) : (int?)null;
        var inProcess = args.Flag("in-process");
        args.EnsureAllUsed();
        Portal.Engine.Runtime.Devices.Parse(device); // a bad --device is refused here, not in the child

        if (inProcess)
        {
            using var host = WorkerHost.Build(new WorkerSettings(name, device, queues, threads, parent));
            await host.RunAsync(ct);
            return 0;
        }

        // Supervisor: no engine in this process; one child that does the work.
        var (options, paths, effective) = PortalSettings.Load();
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
        var log = loggers.CreateLogger("portal.worker");
        var dbOptions = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<Portal.Data.PortalDbContext>();
        PortalDatabase.Configure(dbOptions, options, paths);
        var dbFactory = new Portal.Data.PortalDbContextFactory(dbOptions.Options);
        HangfireStorage.ConfigureSerialization();
        var dispatcher = new JobDispatcher(new Hangfire.BackgroundJobClient(HangfireStorage.Create(options, paths)), Options.Create(options));
        var loss = new WorkerLoss(dbFactory, dispatcher, Options.Create(options), loggers.CreateLogger<WorkerLoss>());
        var childArgs = new List<string> { "--in-process", "--name", name, "--queues", string.Join(",", queues), "--device", device,
            "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture) };
        if (threads > 0) childArgs.AddRange(["--threads", threads.ToString(CultureInfo.InvariantCulture)]);
        var exe = Environment.ProcessPath is { } self && !System.IO.Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? self : System.IO.Path.Combine(AppContext.BaseDirectory, "Portal.Cli.dll");
        var supervisor = new WorkerSupervisor(name, () => WorkerProcessLaunch.For(exe, effective, childArgs), options.Worker.MaxMemoryGiB, loss, log);
        await supervisor.RunAsync(ct);
        return 0;
    }
}
