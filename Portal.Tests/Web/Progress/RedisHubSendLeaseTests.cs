using Microsoft.Extensions.Logging.Abstractions;
using Portal.Tests.Support;
using Portal.Web.Progress;
using StackExchange.Redis;

namespace Portal.Tests.Web.Progress;

/// <summary>The sender lease of the Redis backplane: exactly one node holds it, another takes over when it stops or dies, none while Redis is away.</summary>
public sealed class RedisHubSendLeaseTests
{
    private static RedisHubSendLease Node(IConnectionMultiplexer redis) => new(redis, NullLogger<RedisHubSendLease>.Instance);

    [RedisFact]
    public async Task Exactly_one_node_holds_the_lease_and_the_other_takes_over_when_it_stops()
    {
        using var server = new RedisServer();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var a = Node(redis);
        var b = Node(redis);
        await a.RenewOnceAsync();
        await b.RenewOnceAsync();
        Assert.True(a.Held);
        Assert.False(b.Held);
        await a.RenewOnceAsync(); // renewing keeps it, and does not count a new term
        await b.RenewOnceAsync();
        Assert.True(a.Held);
        Assert.False(b.Held);
        Assert.Equal(1, a.Term);

        await a.StartAsync(CancellationToken.None);
        await a.StopAsync(CancellationToken.None); // an orderly stop releases at once
        Assert.False(a.Held);
        await b.RenewOnceAsync();
        Assert.True(b.Held);
        Assert.Equal(1, b.Term);
    }

    [RedisFact]
    public async Task A_node_that_dies_loses_the_lease_after_its_expiry()
    {
        using var server = new RedisServer();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var dead = Node(redis);
        var b = Node(redis);
        await dead.RenewOnceAsync(); // then never renews again, as a killed process
        await b.RenewOnceAsync();
        Assert.False(b.Held);
        var until = DateTime.UtcNow + RedisHubSendLease.Ttl + TimeSpan.FromSeconds(3);
        while (!b.Held && DateTime.UtcNow < until) { await Task.Delay(200); await b.RenewOnceAsync(); }
        Assert.True(b.Held);
    }

    [RedisFact]
    public async Task When_Redis_goes_away_the_node_stops_claiming_the_lease()
    {
        IConnectionMultiplexer redis;
        RedisHubSendLease node;
        using (var server = new RedisServer())
        {
            var config = ConfigurationOptions.Parse(server.Configuration);
            config.AbortOnConnectFail = false;
            config.ConnectTimeout = 1000;
            config.SyncTimeout = 1000;
            config.AsyncTimeout = 1000;
            redis = await ConnectionMultiplexer.ConnectAsync(config);
            node = Node(redis);
            await node.RenewOnceAsync();
            Assert.True(node.Held);
        }
        // Redis is gone: the node stops claiming to send (its sends could not be delivered anyway).
        await node.RenewOnceAsync();
        Assert.False(node.Held);
        redis.Dispose();
    }
}
