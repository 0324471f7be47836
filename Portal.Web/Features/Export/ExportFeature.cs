namespace Portal.Web.Features.Export;

/// <summary>CSV/JSON downloads of the boards, one JS module per circuit.</summary>
public static class ExportFeature
{
    public static IServiceCollection AddExport(this IServiceCollection services)
    {
        services.AddScoped<FileDownload>();
        return services;
    }

    public static IEndpointRouteBuilder MapExport(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
