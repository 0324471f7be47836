using Microsoft.AspNetCore.SignalR;

namespace Portal.Web.Progress;

/// <summary>
/// /hubs/progress. Clients call WatchJob(id) to follow one job or WatchQueue() to follow every job; the server then
/// sends "progress" messages (<see cref="JobProgressMessage"/>), throttled per job.
/// </summary>
public sealed class ProgressHub : Hub
{
    public const string Path = "/hubs/progress";
    public const string Method = "progress";
    public const string QueueGroup = "queue";
    public static string JobGroup(int jobId) => $"job-{jobId}";

    public Task WatchJob(int jobId) => Groups.AddToGroupAsync(Context.ConnectionId, JobGroup(jobId));
    public Task UnwatchJob(int jobId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, JobGroup(jobId));
    public Task WatchQueue() => Groups.AddToGroupAsync(Context.ConnectionId, QueueGroup);
    public Task UnwatchQueue() => Groups.RemoveFromGroupAsync(Context.ConnectionId, QueueGroup);
}
