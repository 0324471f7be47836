namespace Portal.Web.Features.Reported;

/// <summary>Reported results: shipped tables seeded at start (docs/portal.md), their boards and API.</summary>
public static class ReportedFeature
{
    public static IServiceCollection AddReported(this IServiceCollection services)
    {
        services.AddSingleton<ReportedService>();
        services.AddHostedService<ReportedSeeder>();
        return services;
    }

    public static IEndpointRouteBuilder MapReported(this IEndpointRouteBuilder app)
    {
        ReportedApi.Map(app);
        return app;
    }
}
