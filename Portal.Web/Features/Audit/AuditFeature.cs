namespace Portal.Web.Features.Audit;

/// <summary>Attack audits for a board's top rows: the audit API and cards.</summary>
public static class AuditFeature
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        return services;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        AuditApi.Map(app);
        return app;
    }
}
