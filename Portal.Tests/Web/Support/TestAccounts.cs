using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Accounts;

namespace Portal.Tests.Web.Support;

/// <summary>Accounts for integration tests: a user in a role with a real personal API token, through the portal's own services.</summary>
public static class TestAccounts
{
    public sealed record Account(string UserId, string UserName, string Token);

    public static async Task<Account> CreateAsync(PortalHost host, string role, string? userName = null, string? password = null)
    {
        userName ??= $"{role}-{Guid.NewGuid():N}"[..20];
        using var scope = host.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<AccountProvisioner>().AddUserAsync(userName, role, password);
        var (_, token) = await host.Services.GetRequiredService<ApiTokens>().CreateAsync(user.Id, "tests", CancellationToken.None);
        return new Account(user.Id, userName, token);
    }

    /// <summary>An API client (no redirects followed) that sends the token as <c>Authorization: Bearer</c>.</summary>
    public static HttpClient ApiWithToken(this PortalHost host, string token)
    {
        var c = host.Api();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>A new user in <paramref name="role"/> and an API client acting as that user.</summary>
    public static async Task<HttpClient> ApiAs(this PortalHost host, string role) => host.ApiWithToken((await CreateAsync(host, role)).Token);
}
