using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Workers;

/// <summary>The workers page and API (admins): who is connected and what each runs.</summary>
public static class WorkersFeature
{
    public static IServiceCollection AddWorkers(this IServiceCollection services)
    {
        services.AddSingleton<WorkerQueries>();
        return services;
    }

    public static IEndpointRouteBuilder MapWorkers(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/workers", async (WorkerQueries q, CancellationToken ct) => Results.Ok(await q.ListAsync(ct)))
            .RequireAuthorization(Policies.Admin);
        return app;
    }
}
