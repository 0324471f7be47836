using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Web.Configuration;
using TorchSharp;

namespace Portal.Worker;

/// <summary>Before the Hangfire server takes work: the database schema is current (EF serialises concurrent migrators) and libtorch has its thread count.</summary>
public sealed class WorkerStartup(IDbContextFactory<PortalDbContext> dbFactory, IOptions<PortalOptions> options, WorkerIdentity me, ILogger<WorkerStartup> log) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        using (var db = dbFactory.CreateDbContext()) PortalDatabase.Migrate(db, options.Value);
        if (options.Value.Worker.Threads > 0) torch.set_num_threads(options.Value.Worker.Threads);
        log.LogInformation("worker {Name} on {Device}, queues {Queues}, {Threads} libtorch thread(s)", me.Name, me.Device, string.Join(",", me.Queues), torch.get_num_threads());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
