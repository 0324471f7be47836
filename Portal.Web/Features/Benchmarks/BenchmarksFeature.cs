namespace Portal.Web.Features.Benchmarks;

/// <summary>Benchmarks: the registry of datasets a job can be evaluated on, and its API.</summary>
public static class BenchmarksFeature
{
    public static IServiceCollection AddBenchmarks(this IServiceCollection services)
    {
        services.AddSingleton<IDatasetInspector, CliDatasetInspector>();
        services.AddSingleton<BenchmarkRegistry>();
        return services;
    }

    public static IEndpointRouteBuilder MapBenchmarks(this IEndpointRouteBuilder app)
    {
        BenchmarksApi.Map(app);
        return app;
    }
}
