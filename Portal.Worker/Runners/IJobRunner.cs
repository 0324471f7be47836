using Portal.Data.Entities;
namespace Portal.Worker.Runners;

/// <summary>
/// Runs one kind of job (a benchmark's <c>TaskKind</c>, a <see cref="Portal.Data.Entities.TaskKind"/>) on the
/// worker thread. The worker claims the job, hands it here, and stores the returned result exactly once; progress,
/// cancellation and resume (per-item records or the job's artifacts folder) are the runner's business.
/// </summary>
public interface IJobRunner
{
    /// <summary>The benchmark task kinds this runner takes.</summary>
    IReadOnlyCollection<TaskKind> TaskKinds { get; }

    JobOutcome Run(JobRunContext context);
}
