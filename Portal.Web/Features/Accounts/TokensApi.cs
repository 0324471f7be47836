using System.Security.Claims;
using Portal.Data.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Accounts;

public sealed record CreateTokenRequest(string Name);

/// <summary>A signed-in user's own personal API tokens: create (the token is shown once), list, revoke.</summary>
public static class TokensApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/tokens").RequireAuthorization(Policies.Researcher);

        g.MapGet("", async (ClaimsPrincipal user, ApiTokens tokens, CancellationToken ct) =>
            Results.Ok((await tokens.ListAsync(user.UserId()!, ct)).Select(View)));

        g.MapPost("", (CreateTokenRequest req, ClaimsPrincipal user, ApiTokens tokens, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var (record, token) = await tokens.CreateAsync(user.UserId()!, req.Name, ct);
            return Results.Created($"/api/tokens/{record.Id}", new { record.Id, record.Name, token, record.Prefix, record.CreatedAt });
        }));

        g.MapDelete("/{id:int}", async (int id, ClaimsPrincipal user, ApiTokens tokens, CancellationToken ct) =>
            await tokens.RevokeAsync(user.UserId()!, id, ct) ? Results.NoContent() : Results.NotFound(new { error = $"you have no token {id}" }));
    }

    private static object View(ApiTokenRecord t) => new { t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt };
}
