namespace Portal.Web.Features.Submit;

/// <summary>The submit page (upload or register a checkpoint, queue evaluations); its page policy is set in Components/PagePolicies.cs.</summary>
public static class SubmitFeature
{
    public static IServiceCollection AddSubmit(this IServiceCollection services)
    {
        return services;
    }

    public static IEndpointRouteBuilder MapSubmit(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
