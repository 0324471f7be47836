using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;

namespace Portal.Web.Progress;

/// <summary>
/// Sends job progress to SignalR viewers (groups job-{id} and queue) and to in-process subscribers (Blazor pages).
/// Progress is coalesced: at most one message per job per ThrottleMs, always the latest snapshot, and the last one is
/// never dropped (a trailing send is scheduled). Status changes go out at once. Never blocks the engine thread.
/// </summary>
public sealed class ProgressBroadcaster(IHubContext<ProgressHub> hub, IHubSendLease lease, IOptions<PortalOptions> options, ILogger<ProgressBroadcaster> log)
{
    private sealed class JobState
    {
        public JobProgressMessage? Latest;
        public long LastSentTicks;
        public bool TrailingScheduled;
        public readonly Lock Gate = new();
    }

    private readonly ConcurrentDictionary<int, JobState> _jobs = new();
    private long _sequence;

    /// <summary>In-process subscribers; invoked with the same (throttled) messages SignalR clients get.</summary>
    public event Action<JobProgressMessage>? OnMessage;

    private TimeSpan Throttle => TimeSpan.FromMilliseconds(Math.Max(0, options.Value.Progress.ThrottleMs));

    public void Publish(JobProgressMessage message, bool immediate = false)
    {
        var s = _jobs.GetOrAdd(message.JobId, _ => new JobState());
        TimeSpan wait;
        lock (s.Gate)
        {
            s.Latest = message;
            var since = TimeSpan.FromTicks(Environment.TickCount64 * TimeSpan.TicksPerMillisecond - s.LastSentTicks);
            if (immediate || since >= Throttle)
            {
                SendLocked(s);
                return;
            }
            if (s.TrailingScheduled) return;
            s.TrailingScheduled = true;
            wait = Throttle - since;
        }
        _ = Task.Delay(wait).ContinueWith(_ =>
        {
            lock (s.Gate)
            {
                s.TrailingScheduled = false;
                if (s.Latest != null) SendLocked(s);
            }
        }, TaskScheduler.Default);
    }

    private void SendLocked(JobState s)
    {
        var m = s.Latest! with { SentAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Sequence = Interlocked.Increment(ref _sequence) };
        s.Latest = null;
        s.LastSentTicks = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        _ = SendAsync(m);
        try { OnMessage?.Invoke(m); }
        catch (Exception e) { log.LogWarning(e, "progress subscriber failed"); }
    }

    private async Task SendAsync(JobProgressMessage m)
    {
        // On the Redis backplane one node sends for all (Progress/HubSendLease.cs); pages of this node still get it above.
        if (!lease.Held) return;
        try
        {
            await hub.Clients.Groups([ProgressHub.JobGroup(m.JobId), ProgressHub.QueueGroup]).SendAsync(ProgressHub.Method, m);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "could not broadcast progress of job {Job}", m.JobId);
        }
    }
}
