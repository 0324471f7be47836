using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Web.Dispatch;

namespace Portal.Worker;

/// <summary>
/// This worker's Hangfire server: one job at a time (libtorch already uses every thread it is given) on the worker's
/// queues, jobs resolved from this host's services, Hangfire's heartbeats and dead-server detection on short intervals
/// so a lost worker is noticed within a minute.
/// </summary>
public sealed class HangfireWorkerServer(IServiceProvider services, WorkerSettings settings) : IHostedService
{
    private BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken ct)
    {
        var options = new BackgroundJobServerOptions
        {
            ServerName = settings.Name,
            WorkerCount = 1,
            Queues = settings.Queues.Select(JobDispatcher.QueueName).ToArray(),
            SchedulePollingInterval = TimeSpan.FromSeconds(1),
            HeartbeatInterval = TimeSpan.FromSeconds(5),
            ServerTimeout = TimeSpan.FromSeconds(60),
            ServerCheckInterval = TimeSpan.FromSeconds(15),
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            Activator = new AspNetCoreJobActivator(services.GetRequiredService<IServiceScopeFactory>()),
        };
        _server = new BackgroundJobServer(options, services.GetRequiredService<JobStorage>());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        if (_server == null) return Task.CompletedTask;
        _server.SendStop();
        return Task.Run(() => { _server.WaitForShutdown(TimeSpan.FromSeconds(15)); _server.Dispose(); _server = null; }, CancellationToken.None);
    }
}
