using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Jobs;
using Portal.Web.Progress;

namespace Portal.Web.Dispatch;

/// <summary>
/// Workers write progress and status into the database; every web node reads what changed a few times a second and
/// sends it to its browsers (SignalR) and pages. Reading the shared database keeps several web nodes in step with no
/// channel from workers to webs, and a worker on another machine needs nothing but the database. With the Redis backplane
/// every node still relays to its own pages, and the node holding the sender lease sends to the browsers of all nodes.
/// </summary>
public sealed class ProgressRelay(
    IDbContextFactory<PortalDbContext> dbFactory, ProgressBroadcaster broadcaster, EncoderEvents encoderEvents, IHubSendLease lease,
    IOptions<PortalOptions> options, ILogger<ProgressRelay> log) : BackgroundService
{
    private DateTime _since = DateTime.UtcNow.AddSeconds(-5);
    private readonly Dictionary<int, (EncoderStatus Status, DateTime? ValidatedAt, long? ImportedBytes)> _validating = [];
    private readonly Dictionary<int, DateTime> _sent = [];
    private long _term;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(options.Value.Progress.ThrottleMs, 20, 1000));
        while (!stop.IsCancellationRequested)
        {
            try { await RelayOnceAsync(stop); }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
            catch (Exception e) { log.LogWarning("progress relay could not read the database: {Message}", e.Message); await Task.Delay(1000, stop).ConfigureAwait(false); }
            await Task.Delay(interval, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    internal async Task RelayOnceAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (lease.Term != _term)
        {
            // This node just became the sender on the Redis backplane: what the last sender may not have sent before it
            // stopped (a final status, above all) goes out again; viewers take a repeated snapshot as it is.
            _term = lease.Term;
            _sent.Clear();
            _since = DateTime.UtcNow.AddSeconds(-(RedisHubSendLease.Ttl.TotalSeconds + 2));
        }
        // Rows stamped in the same tick as the last read may still be committing: look back a little and let the
        // broadcaster drop nothing (it coalesces repeats).
        var from = _since.AddMilliseconds(-500);
        var changed = await db.Jobs.AsNoTracking().Where(j => j.UpdatedAt > from).OrderBy(j => j.UpdatedAt).Take(500).ToListAsync(ct);
        foreach (var j in changed)
        {
            if (j.UpdatedAt > _since) _since = j.UpdatedAt;
            if (_sent.TryGetValue(j.Id, out var sent) && sent >= j.UpdatedAt) continue;
            _sent[j.Id] = j.UpdatedAt;
            broadcaster.Publish(JobMessages.From(j), immediate: j.Status != JobStatus.Running);
        }
        if (_sent.Count > 10_000)
            foreach (var old in _sent.Where(kv => kv.Value < from).Select(kv => kv.Key).ToList()) _sent.Remove(old);

        // Encoders leaving validation (or downloading on): pages listening to EncoderEvents refresh.
        var validating = await db.Encoders.AsNoTracking().Where(e => e.Status == EncoderStatus.Validating).Select(e => e.Id).ToListAsync(ct);
        var watched = _validating.Keys.Union(validating).ToList();
        if (watched.Count == 0) return;
        var now = await db.Encoders.AsNoTracking().Where(e => watched.Contains(e.Id)).Select(e => new { e.Id, e.Status, e.ValidatedAt, e.ImportedBytes }).ToListAsync(ct);
        foreach (var e in now)
        {
            var seen = _validating.TryGetValue(e.Id, out var before);
            if (e.Status == EncoderStatus.Validating) _validating[e.Id] = (e.Status, e.ValidatedAt, e.ImportedBytes);
            else _validating.Remove(e.Id);
            if (seen && (before.Status != e.Status || before.ValidatedAt != e.ValidatedAt || before.ImportedBytes != e.ImportedBytes)) encoderEvents.Changed(e.Id);
        }
        foreach (var gone in watched.Except(now.Select(e => e.Id))) { _validating.Remove(gone); encoderEvents.Changed(gone); }
    }
}
