using Portal.Web.Components;

namespace Portal.Web.Features.Robustify;

/// <summary>FARE (docs/fare-and-demo.md): the service, the job panel and lineage, and the API.</summary>
public static class RobustifyFeature
{
    public static IServiceCollection AddRobustify(this IServiceCollection services)
    {
        services.AddSingleton<RobustifyService>();
        // Its cards on the encoder and job pages, which Robustify uses (encoders, the queue) and so cannot be used by.
        services.AddPageSlot<EncoderLineage>(PageSlots.EncoderPage);
        services.AddPageSlot<FareJobPanel>(PageSlots.JobPage);
        return services;
    }

    public static IEndpointRouteBuilder MapRobustify(this IEndpointRouteBuilder app)
    {
        RobustifyApi.Map(app);
        return app;
    }
}
