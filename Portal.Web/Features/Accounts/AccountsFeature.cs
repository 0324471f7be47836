namespace Portal.Web.Features.Accounts;

/// <summary>Sign-in, API tokens and the role policies: Identity, the cookie and bearer schemes, the account pages and endpoints.</summary>
public static class AccountsFeature
{
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddPortalAccounts();
        return services;
    }

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        AccountEndpoints.Map(app);
        TokensApi.Map(app);
        return app;
    }
}
