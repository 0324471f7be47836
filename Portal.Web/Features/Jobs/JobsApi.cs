using System.Security.Claims;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Jobs;

public static class JobsApi
{
    public const int DefaultJobsLimit = 200, MaxJobsLimit = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api");
        g.MapGet("/presets", () => Results.Ok(Presets.Known.Select(p => new { name = p, label = Presets.Describe(p), config = Presets.Config(p) })));

        // Newest first, a page at a time (limit, default 200, at most 1000; offset); X-Total-Count and Link rel="next" say
        // what is left. Anonymous reads are output-cached, evicted when a job changes (Http/ReadCache.cs).
        g.MapGet("/jobs", (HttpRequest request, HttpResponse response, IDbContextFactory<PortalDbContext> f, IOptions<JsonOptions> json) => ApiErrors.Guard(async () =>
        {
            var filters = ListFilters.Read(request, ["status", "encoder_id", "benchmark_id", .. ListFilters.PagingNames]);
            var (status, encoderId, benchmarkId) = (filters.Enum<JobStatus>("status"), filters.Int("encoder_id"), filters.Int("benchmark_id"));
            var (offset, limit) = filters.Page(DefaultJobsLimit, MaxJobsLimit);
            await using var db = await f.CreateDbContextAsync();
            var q = db.Jobs.AsNoTracking();
            if (status != null) q = q.Where(j => j.Status == status);
            if (encoderId != null) q = q.Where(j => j.EncoderId == encoderId);
            if (benchmarkId != null) q = q.Where(j => j.DatasetId == benchmarkId);
            var jobs = await q.OrderByDescending(j => j.Id).Skip(offset).Take(limit).ToListAsync();
            ListFilters.PageHeaders(response, await q.CountAsync(), offset, limit);
            return Results.Ok(await JobJson.ManyAsync(db, jobs, json.Value.SerializerOptions));
        })).CacheOutput(Portal.Web.Http.ReadCache.JobsPolicy).RequireRateLimiting(Portal.Web.Http.ReadCache.AnonymousReadsLimit);

        g.MapGet("/jobs/{id:int}", async (int id, IDbContextFactory<PortalDbContext> f, IOptions<JsonOptions> json) =>
        {
            await using var db = await f.CreateDbContextAsync();
            return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id) is { } j
                ? Results.Ok(await JobJson.OneAsync(db, j, json.Value.SerializerOptions))
                : Results.NotFound(new { error = $"no job {id}" });
        });

        g.MapGet("/jobs/{id:int}/items", async (int id, IDbContextFactory<PortalDbContext> f) =>
        {
            await using var db = await f.CreateDbContextAsync();
            return Results.Ok(await db.Items.AsNoTracking().Where(i => i.JobId == id).OrderBy(i => i.Id).ToListAsync());
        });

        g.MapPost("/jobs", (JobRequest req, ClaimsPrincipal user, JobQueue queue, IDbContextFactory<PortalDbContext> f, IOptions<JsonOptions> json, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var submitted = await queue.SubmitAsync(req, ct, user.UserId());
            await using var db = await f.CreateDbContextAsync(ct);
            var jobs = await JobJson.ManyAsync(db, submitted.Select(s => s.Job).ToList(), json.Value.SerializerOptions, ct);
            return Results.Json(submitted.Select((s, i) => new { job = jobs[i], outcome = s.Outcome }), statusCode: StatusCodes.Status201Created);
        })).RequireAuthorization(Policies.Researcher);

        // Own jobs for researchers, any job for admins.
        g.MapPost("/jobs/{id:int}/cancel", (int id, ClaimsPrincipal user, IDbContextFactory<PortalDbContext> f, JobQueue queue, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            await using (var db = await f.CreateDbContextAsync(ct))
            {
                var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct) ?? throw new KeyNotFoundException($"no job {id}");
                if (!user.CanCancel(job)) throw new UnauthorizedAccessException($"job {id} was submitted by someone else: only its submitter or an admin can cancel it");
            }
            return Results.Ok(await queue.CancelAsync(id, ct));
        })).RequireAuthorization(Policies.Researcher);
    }
}
