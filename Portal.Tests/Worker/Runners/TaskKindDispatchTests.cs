using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Worker.Runners;

namespace Portal.Tests.Worker.Runners;

/// <summary>Every task kind (defined once, in <see cref="TaskKinds"/>) has exactly one job runner, and no runner takes a kind not defined there.</summary>
public sealed class TaskKindDispatchTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Each_task_kind_is_dispatched_to_exactly_one_runner()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Demo:Enabled"] = "false" });
        using var client = host.Api();   // starts the web and its in-process worker
        var runners = host.WorkerServices.GetServices<IJobRunner>().ToList();
        var taken = runners.SelectMany(r => r.TaskKinds).ToList();
        Assert.Equal(TaskKinds.All.Order(), taken.Order());   // each once, none unknown
        var byKind = host.WorkerServices.GetRequiredService<JobRunners>();
        foreach (var kind in TaskKinds.All) Assert.Contains(kind, byKind.For(kind).TaskKinds);
    }
}
