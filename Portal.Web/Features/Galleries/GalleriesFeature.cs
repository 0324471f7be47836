namespace Portal.Web.Features.Galleries;

/// <summary>Inversion galleries: gallery services, demo galleries, their pages and API.</summary>
public static class GalleriesFeature
{
    public static IServiceCollection AddGalleries(this IServiceCollection services)
    {
        services.AddSingleton<GalleryService>();
        services.AddSingleton<GalleryQueries>();
        services.AddSingleton<DemoGalleries>();
        return services;
    }

    public static IEndpointRouteBuilder MapGalleries(this IEndpointRouteBuilder app)
    {
        GalleriesApi.Map(app);
        return app;
    }
}
