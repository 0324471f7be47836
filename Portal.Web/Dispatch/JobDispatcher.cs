using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;

namespace Portal.Web.Dispatch;

/// <summary>
/// Hands work to the workers through Hangfire: one background job per portal job or checkpoint validation, on the
/// queue its kind is routed to. The portal's own records stay the truth; a Hangfire job only says "look at record N".
/// </summary>
public sealed class JobDispatcher(IBackgroundJobClient hangfire, IOptions<PortalOptions> options)
{
    private DispatchOptions Routing => options.Value.Dispatch;

    /// <summary>The queue a new evaluation job goes to (stored on the job, so a re-dispatch uses the same one).</summary>
    public string JobQueue => QueueName(Routing.JobQueue);

    public string EnqueueJob(int jobId, string queue) =>
        hangfire.Create<IWorkerJobs>(w => w.RunJobAsync(jobId, CancellationToken.None), new EnqueuedState(QueueName(queue)));

    public string EnqueueValidation(int encoderId) =>
        hangfire.Create<IWorkerJobs>(w => w.ValidateEncoderAsync(encoderId, CancellationToken.None), new EnqueuedState(QueueName(Routing.ValidationQueue)));

    public string EnqueueDatasetFetch(int fetchId) =>
        hangfire.Create<IWorkerJobs>(w => w.FetchDatasetAsync(fetchId, CancellationToken.None), new EnqueuedState(QueueName(Routing.ValidationQueue)));

    /// <summary>Hangfire accepts lower-case letters, digits, '_' and '-' in queue names; anything else is a configuration error.</summary>
    public static string QueueName(string? name)
    {
        var q = string.IsNullOrWhiteSpace(name) ? DispatchOptions.DefaultQueue : name.Trim();
        if (q.Length > 50 || !q.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
            throw new ArgumentException($"queue name '{q}' is not valid: use lower-case letters, digits, '_' or '-' (at most 50)");
        return q;
    }
}
