namespace Portal.Web.Features.Admin;

/// <summary>Admin actions (delete an encoder, approve or reject one) and the admin API.</summary>
public static class AdminFeature
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminActions>();
        return services;
    }

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        AdminApi.Map(app);
        return app;
    }
}
