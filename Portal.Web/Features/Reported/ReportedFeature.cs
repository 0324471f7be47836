using Portal.Web.Components;

namespace Portal.Web.Features.Reported;

/// <summary>Reported results: shipped tables seeded at start (docs/portal.md), their boards and API.</summary>
public static class ReportedFeature
{
    public static IServiceCollection AddReported(this IServiceCollection services)
    {
        services.AddSingleton<ReportedService>();
        services.AddHostedService<ReportedSeeder>();
        services.AddPageSlot<ReportedLinkControl>(PageSlots.EncoderReportedAs); // the encoder page's "Reported as"
        return services;
    }

    public static IEndpointRouteBuilder MapReported(this IEndpointRouteBuilder app)
    {
        ReportedApi.Map(app);
        return app;
    }
}
