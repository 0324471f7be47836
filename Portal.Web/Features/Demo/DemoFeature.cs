namespace Portal.Web.Features.Demo;

/// <summary>The demo world: the shipped demo encoders, registered and queued once at start.</summary>
public static class DemoFeature
{
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddSingleton<DemoEncoders>();
        services.AddHostedService<DemoSeeder>();
        return services;
    }

    public static IEndpointRouteBuilder MapDemo(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
