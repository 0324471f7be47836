namespace Portal.Web.Features.Retrieval;

/// <summary>Retrieval and detection boards, their evidence (example browsers) and the result artifacts they link to.</summary>
public static class RetrievalFeature
{
    public static IServiceCollection AddRetrieval(this IServiceCollection services)
    {
        services.AddSingleton<RetrievalDemo>();
        services.AddSingleton<EvidenceFiles>();
        services.AddSingleton<RetrievalQueries>();
        return services;
    }

    public static IEndpointRouteBuilder MapRetrieval(this IEndpointRouteBuilder app)
    {
        ResultArtifactsApi.Map(app);
        return app;
    }
}
