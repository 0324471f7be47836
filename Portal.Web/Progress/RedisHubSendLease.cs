using StackExchange.Redis;

namespace Portal.Web.Progress;

/// <summary>
/// The sender lease on the Redis backplane: a key holding this node's id with a short expiry, taken when free and
/// extended every second while held. A node that stops (or dies) lets it expire, and another node takes it within
/// <see cref="Ttl"/> plus one renewal. When Redis cannot be reached no node holds it, which is also when the backplane
/// cannot deliver: pages served by Blazor keep updating from each node's own relay either way.
/// </summary>
public sealed class RedisHubSendLease(IConnectionMultiplexer redis, ILogger<RedisHubSendLease> log) : BackgroundService, IHubSendLease
{
    public static readonly RedisKey Key = "portal:progress:sender";
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Renew = TimeSpan.FromSeconds(1);

    private readonly RedisValue _me = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private volatile bool _held;
    private long _term;
    private bool _warned;

    public bool Held => _held;
    public long Term => Interlocked.Read(ref _term);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await RenewOnceAsync();
            await Task.Delay(Renew, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    internal async Task RenewOnceAsync()
    {
        try
        {
            var db = redis.GetDatabase();
            var held = _held ? await db.LockExtendAsync(Key, _me, Ttl) || await db.LockTakeAsync(Key, _me, Ttl) : await db.LockTakeAsync(Key, _me, Ttl);
            if (held && !_held) { Interlocked.Increment(ref _term); log.LogInformation("this node now sends the SignalR messages of every node (Redis backplane)"); }
            _held = held;
            if (_warned) { _warned = false; log.LogInformation("Redis backplane reachable again"); }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            _held = false;
            if (!_warned) log.LogWarning("Redis backplane unreachable, no SignalR messages leave this node until it is back: {Message}", e.Message);
            _warned = true;
        }
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        if (!_held) return;
        _held = false;
        try { await redis.GetDatabase().LockReleaseAsync(Key, _me); } // the next node takes over at once, not after Ttl
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException) { }
    }
}
