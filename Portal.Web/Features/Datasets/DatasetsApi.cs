using System.Security.Claims;
using Portal.Engine.Fetch;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Datasets;

public sealed record DatasetFetchRequest(string? Name);

/// <summary>Benchmark datasets by name (admins): the catalog, fetch requests and their progress (docs/portal.md).</summary>
public static class DatasetsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/datasets").RequireAuthorization(Policies.Admin);
        g.MapGet("/catalog", () => Results.Ok(DatasetCatalog.All.Select(d => new
        {
            name = d.Name, source = d.Source, task_kind = d.TaskKind, format = d.Format, split = d.Split,
            files = d.Files.Select(f => new { url = f.Url, bytes = f.Bytes, sha256 = f.Sha256 }),
        })));
        g.MapPost("/fetches", (DatasetFetchRequest req, ClaimsPrincipal user, DatasetFetches fetches, CancellationToken ct) => ApiErrors.Guard(async () =>
            Results.Json(await fetches.StartAsync(req.Name, user.UserId(), ct), statusCode: StatusCodes.Status202Accepted)));
        g.MapGet("/fetches", async (DatasetFetches fetches, CancellationToken ct) => Results.Ok(await fetches.ListAsync(ct)));
        g.MapGet("/fetches/{id:int}", async (int id, DatasetFetches fetches, CancellationToken ct) =>
            await fetches.GetAsync(id, ct) is { } f ? Results.Ok(f) : Results.NotFound(new { error = $"no dataset fetch {id}" }));
    }
}
