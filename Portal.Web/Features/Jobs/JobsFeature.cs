namespace Portal.Web.Features.Jobs;

/// <summary>Jobs: the queue, per-role limits and presets, the queue and job pages, and the jobs API.</summary>
public static class JobsFeature
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobLimits>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<PortalQueries>();
        return services;
    }

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        JobsApi.Map(app);
        return app;
    }
}
