namespace Portal.Web.Features.Robustify;

/// <summary>FARE (README, “Robustify an encoder”): the service, the job panel and lineage, and the API.</summary>
public static class RobustifyFeature
{
    public static IServiceCollection AddRobustify(this IServiceCollection services)
    {
        services.AddSingleton<RobustifyService>();
        return services;
    }

    public static IEndpointRouteBuilder MapRobustify(this IEndpointRouteBuilder app)
    {
        RobustifyApi.Map(app);
        return app;
    }
}
