using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Accounts;

/// <summary>
/// Sign-in attempts per client address and per typed user name in a sliding minute (Portal:Accounts). Keyed by the name
/// as typed, whether or not such an account exists, so the throttle itself says nothing about which accounts exist; it
/// also keeps a stranger from reaching the lockout of someone else's account in seconds.
/// </summary>
public sealed class SignInThrottle(IOptions<PortalOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Queue<DateTime>> _attempts = new();

    /// <summary>Records an attempt; returns how long to wait when the address or the name is over its limit.</summary>
    public TimeSpan? Attempt(string? address, string userName)
    {
        var o = options.Value.Accounts;
        var now = clock.GetUtcNow().UtcDateTime;
        var byAddress = Count("ip:" + (address ?? "unknown"), now, o.SignInsPerAddressPerMinute);
        var byName = Count("user:" + userName.Trim().ToUpperInvariant(), now, o.SignInsPerAccountPerMinute);
        // Every typed name is a key: drop idle ones now and then, so a flood of made-up names cannot grow memory.
        if (Interlocked.Increment(ref _attemptCount) % 1024 == 0) Prune(now);
        var wait = byAddress > byName ? byAddress : byName;
        return wait > TimeSpan.Zero ? wait : null;
    }

    private long _attemptCount;

    private void Prune(DateTime now)
    {
        foreach (var (key, q) in _attempts)
            lock (q)
                if (q.Count == 0 || q.Last() <= now - TimeSpan.FromMinutes(1)) _attempts.TryRemove(key, out _);
    }

    /// <summary>Keys held (for the memory test).</summary>
    internal int Keys => _attempts.Count;

    private TimeSpan Count(string key, DateTime now, int limit)
    {
        var q = _attempts.GetOrAdd(key, _ => new Queue<DateTime>());
        lock (q)
        {
            while (q.Count > 0 && q.Peek() <= now - TimeSpan.FromMinutes(1)) q.Dequeue();
            if (q.Count >= limit) return q.Peek() + TimeSpan.FromMinutes(1) - now;
            q.Enqueue(now);
            return TimeSpan.Zero;
        }
    }
}
