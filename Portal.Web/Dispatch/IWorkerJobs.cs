namespace Portal.Web.Dispatch;

/// <summary>
/// The engine work a worker process does, as Hangfire sees it: the web enqueues calls to this interface by id and a
/// worker's Hangfire server resolves it to the implementation in Portal.Worker. Arguments are ids only: everything else
/// is read from the database by the worker, so a retried or re-delivered call always works on the current record.
/// </summary>
public interface IWorkerJobs
{
    /// <summary>Runs (or resumes) the portal job <paramref name="jobId"/> to its end.</summary>
    Task RunJobAsync(int jobId, CancellationToken ct);

    /// <summary>Loads and checks the checkpoint of encoder <paramref name="encoderId"/>; marks it ready or rejected.</summary>
    Task ValidateEncoderAsync(int encoderId, CancellationToken ct);

    /// <summary>Fetches the dataset of request <paramref name="fetchId"/> and registers it as a benchmark.</summary>
    Task FetchDatasetAsync(int fetchId, CancellationToken ct);
}
