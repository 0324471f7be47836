using Portal.Web.Dispatch;
using Portal.Worker.Execution;
using Portal.Worker.Validation;

namespace Portal.Worker;

/// <summary>What Hangfire calls in a worker for each <see cref="IWorkerJobs"/> job the web enqueued.</summary>
public sealed class WorkerJobs(JobExecutor jobs, EncoderValidation validation, Datasets.DatasetFetchRun datasets) : IWorkerJobs
{
    public Task RunJobAsync(int jobId, CancellationToken ct) => jobs.RunAsync(jobId, ct);

    public Task ValidateEncoderAsync(int encoderId, CancellationToken ct) =>
        Task.Factory.StartNew(() => validation.Validate(encoderId), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public Task FetchDatasetAsync(int fetchId, CancellationToken ct) => datasets.RunAsync(fetchId, ct);
}
