namespace Portal.Worker.Runners;

/// <summary>Finds the runner registered for a benchmark's task kind.</summary>
public sealed class JobRunners(IEnumerable<IJobRunner> runners)
{
    private readonly IReadOnlyList<IJobRunner> _runners = runners.ToList();

    public IReadOnlyCollection<string> TaskKinds => _runners.SelectMany(r => r.TaskKinds).ToList();

    public IJobRunner For(string taskKind) =>
        _runners.FirstOrDefault(r => r.TaskKinds.Contains(taskKind, StringComparer.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"no runner for task kind '{taskKind}' (known: {string.Join(", ", TaskKinds)})");
}
