namespace Portal.Web.Features.Datasets;

/// <summary>Benchmark datasets fetched by name in a worker (docs/portal.md): the catalog, fetch requests and their progress.</summary>
public static class DatasetsFeature
{
    public static IServiceCollection AddDatasets(this IServiceCollection services)
    {
        services.AddSingleton<DatasetFetches>();
        return services;
    }

    public static IEndpointRouteBuilder MapDatasets(this IEndpointRouteBuilder app)
    {
        DatasetsApi.Map(app);
        return app;
    }
}
