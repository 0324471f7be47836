using Portal.Web.Components;

namespace Portal.Web.Features.Evaluations;

/// <summary>Evaluation results: the results API (JSON and CSV) and the result card (settings, sanity checks, per-split numbers).</summary>
public static class EvaluationsFeature
{
    public static IServiceCollection AddEvaluations(this IServiceCollection services)
    {
        // The result card on the encoder and job pages (Encoders and Jobs are used here, so cannot use this feature).
        services.AddPageSlot<ReproducibilityCard>(PageSlots.ResultCard);
        return services;
    }

    public static IEndpointRouteBuilder MapEvaluations(this IEndpointRouteBuilder app)
    {
        ResultsApi.Map(app);
        return app;
    }
}
