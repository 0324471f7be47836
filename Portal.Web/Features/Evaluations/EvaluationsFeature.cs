namespace Portal.Web.Features.Evaluations;

/// <summary>Evaluation results: the results API (JSON and CSV) and how a result's metric is shown.</summary>
public static class EvaluationsFeature
{
    public static IServiceCollection AddEvaluations(this IServiceCollection services)
    {
        return services;
    }

    public static IEndpointRouteBuilder MapEvaluations(this IEndpointRouteBuilder app)
    {
        ResultsApi.Map(app);
        return app;
    }
}
