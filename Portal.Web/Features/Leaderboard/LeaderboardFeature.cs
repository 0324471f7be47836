namespace Portal.Web.Features.Leaderboard;

/// <summary>The leaderboards: the boards' service, page and API.</summary>
public static class LeaderboardFeature
{
    public static IServiceCollection AddLeaderboard(this IServiceCollection services)
    {
        services.AddSingleton<LeaderboardService>();
        services.AddSingleton<TaskOverviewService>();
        return services;
    }

    public static IEndpointRouteBuilder MapLeaderboard(this IEndpointRouteBuilder app)
    {
        LeaderboardApi.Map(app);
        return app;
    }
}
