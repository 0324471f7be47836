using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Configuration;
using Portal.Web.Dispatch;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Retrieval;
using Portal.Worker.Datasets;
using Portal.Worker.Execution;
using Portal.Worker.Models;
using Portal.Worker.Runners;
using Portal.Worker.Validation;

namespace Portal.Worker;

/// <summary>What a worker process is started with (the `portal worker` flags).</summary>
public sealed record WorkerSettings(string Name, string Device, IReadOnlyList<string> Queues, int Threads, int? ParentPid);

/// <summary>
/// The services of one worker process: the portal's configuration and database, the engine's runners, and a Hangfire
/// server (one job at a time: libtorch already uses every thread it is given) on the worker's queues. `portal worker
/// --in-process` runs it; tests host it in their own process to reach its services.
/// </summary>
public static class WorkerHost
{
    public static IHost Build(WorkerSettings settings, IConfiguration? extra = null, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false, Args = [] });
        RootSettings.AddTo(builder.Configuration, AppContext.BaseDirectory);
        if (extra != null) builder.Configuration.AddConfiguration(extra);
        builder.Services.AddPortalWorker(builder.Configuration, settings);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    public static IServiceCollection AddPortalWorker(this IServiceCollection services, IConfiguration config, WorkerSettings settings)
    {
        services.Configure<PortalOptions>(config.GetSection("Portal"));
        services.PostConfigure<PortalOptions>(o =>
        {
            o.AllowTorchScript = config.GetValue("Engine:AllowTorchScript", o.AllowTorchScript);
            o.Worker.Device = settings.Device;
            if (settings.Threads > 0) o.Worker.Threads = settings.Threads;
        });
        services.AddSingleton(sp => DataPaths.From(sp.GetRequiredService<IOptions<PortalOptions>>().Value,
            config[RootSettings.BaseDirectoryKey] ?? AppContext.BaseDirectory));
        services.AddDbContextFactory<PortalDbContext>((sp, o) =>
            PortalDatabase.Configure(o, sp.GetRequiredService<IOptions<PortalOptions>>().Value, sp.GetRequiredService<DataPaths>()));

        services.AddSingleton(new WorkerIdentity(settings.Name, settings.Device, settings.Queues, settings.Threads));
        services.AddSingleton(new WorkerParent(settings.ParentPid));
        services.AddSingleton<JobDispatcher>();
        services.AddSingleton<WorkerLoss>();
        services.AddSingleton<EncoderEvents>();
        services.AddSingleton<ServerFiles>();
        services.AddSingleton<EncoderRegistry>();
        services.AddSingleton<IDatasetInspector, EngineDatasetInspector>();
        services.AddSingleton<BenchmarkRegistry>();
        services.AddSingleton<ModelFactory>();
        services.AddSingleton<TorchScriptProbe>();
        services.AddSingleton<EncoderValidation>();
        services.AddSingleton<CheckpointImport>();
        services.AddSingleton<Portal.Worker.Datasets.DatasetFetchRun>();
        services.AddSingleton<IEvaluationHooks, NoEvaluationHooks>();
        services.AddSingleton<IJobRunner, TwoAfcJobRunner>();
        services.AddSingleton<IJobRunner, RetrievalJobRunner>();
        services.AddSingleton<IJobRunner, DetectionJobRunner>();
        services.AddSingleton<IJobRunner, InversionJobRunner>();
        services.AddSingleton<IJobRunner, FareJobRunner>();
        services.AddSingleton<JobRunners>();
        services.AddSingleton<RemoteFiles>();
        services.AddSingleton<JobExecutor>();
        services.AddSingleton<JobBatchSizes>();
        services.AddSingleton<WorkerBatchSizing>();
        services.AddSingleton<IWorkerJobs, WorkerJobs>();
        services.AddHostedService<WorkerStartup>();
        services.AddHostedService<WorkerHeartbeat>();

        services.AddPortalHangfire();
        services.AddHostedService(sp => new HangfireWorkerServer(sp, settings));
        return services;
    }
}
