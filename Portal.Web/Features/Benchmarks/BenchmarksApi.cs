using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Benchmarks;

public static class BenchmarksApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api");
        g.MapGet("/benchmarks", async (IDbContextFactory<PortalDbContext> f) =>
        {
            await using var db = await f.CreateDbContextAsync();
            return Results.Ok(await db.Benchmarks.AsNoTracking().OrderBy(b => b.Id).ToListAsync());
        });
        g.MapGet("/benchmarks/{id:int}", async (int id, IDbContextFactory<PortalDbContext> f) =>
        {
            await using var db = await f.CreateDbContextAsync();
            return await db.Benchmarks.FindAsync(id) is { } b ? Results.Ok(b) : Results.NotFound(new { error = $"no benchmark {id}" });
        });
        g.MapPost("/benchmarks", (BenchmarkRequest req, BenchmarkRegistry registry, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var b = await registry.RegisterAsync(req, isDemo: false, ct);
            return Results.Created($"/api/benchmarks/{b.Id}", b);
        })).RequireAuthorization(Policies.Admin); // a benchmark is a dataset folder on the server: an operator's decision
    }
}
