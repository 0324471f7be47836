using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using StackExchange.Redis;

namespace Portal.Web.Progress;

/// <summary>Live progress: the SignalR hub (with the Redis backplane when Portal:Progress:Redis is set) and the broadcaster.</summary>
public static class ProgressSetup
{
    public const string RedisKey = "Portal:Progress:Redis";

    public static IServiceCollection AddProgress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ProgressBroadcaster>();
        var signalR = services.AddSignalR();
        if (configuration[RedisKey] is not { Length: > 0 } redis)
        {
            services.AddSingleton<IHubSendLease, EveryNodeSends>();
            return services;
        }
        // One connection for the backplane and the sender lease; it reconnects by itself, and a node whose Redis is
        // down at start still starts (AbortOnConnectFail=false) and says so.
        var config = ConfigurationOptions.Parse(redis);
        config.AbortOnConnectFail = false;
        config.ChannelPrefix = RedisChannel.Literal("portal");
        var connection = new Lazy<Task<IConnectionMultiplexer>>(async () => await ConnectionMultiplexer.ConnectAsync(config));
        services.AddSingleton<IConnectionMultiplexer>(_ => connection.Value.GetAwaiter().GetResult());
        signalR.AddStackExchangeRedis(o => o.ConnectionFactory = _ => connection.Value);
        services.AddSingleton<RedisHubSendLease>();
        services.AddSingleton<IHubSendLease>(sp => sp.GetRequiredService<RedisHubSendLease>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisHubSendLease>());
        return services;
    }

    public static IEndpointRouteBuilder MapProgress(this IEndpointRouteBuilder app)
    {
        app.MapHub<ProgressHub>(ProgressHub.Path);
        return app;
    }
}
