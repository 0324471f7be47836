namespace Portal.Web.Features.Demo;

/// <summary>The demo world, seeded once at start: the demo encoders (Features/Encoders/DemoEncoders.cs), benchmarks, retrieval/detection boards and galleries, and their jobs.</summary>
public static class DemoFeature
{
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddSingleton<DemoUpgrade>(); // a demo an earlier version seeded, brought up to date at start
        services.AddHostedService<DemoSeeder>();
        return services;
    }

    public static IEndpointRouteBuilder MapDemo(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
