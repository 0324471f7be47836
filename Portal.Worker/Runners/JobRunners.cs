using Portal.Data.Entities;
namespace Portal.Worker.Runners;

/// <summary>Finds the runner registered for a benchmark's task kind.</summary>
public sealed class JobRunners(IEnumerable<IJobRunner> runners)
{
    private readonly IReadOnlyList<IJobRunner> _runners = runners.ToList();

    public IReadOnlyCollection<TaskKind> TaskKinds => _runners.SelectMany(r => r.TaskKinds).ToList();

    public IJobRunner For(TaskKind taskKind) =>
        _runners.FirstOrDefault(r => r.TaskKinds.Contains(taskKind))
        ?? throw new InvalidOperationException($"no runner for task kind '{taskKind.Key()}' (known: {string.Join(", ", TaskKinds.Select(k => k.Key()))})");
}
