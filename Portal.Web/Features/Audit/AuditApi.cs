using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Jobs;
using Portal.Web.Http;

namespace Portal.Web.Features.Audit;

/// <summary>
/// Attack audits for the rows a board ranks highest, in one action (admins): `POST /api/benchmarks/{id}/audits
/// {"top": 5, "norm": "linf"}` queues the audit preset of that threat model for the N encoders with the best APGD robust
/// accuracy at the paper's radius (L∞ 4/255 or L2 3) on that benchmark. Identical audits already run or queued are
/// reused, as for every job.
/// </summary>
public static class AuditApi
{
    public sealed record TopRowsRequest(int Top = 5, string Norm = "linf");

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/benchmarks/{id:int}/audits", (int id, TopRowsRequest req, ClaimsPrincipal user, IDbContextFactory<PortalDbContext> f, JobQueue queue, CancellationToken ct) =>
            ApiErrors.Guard(async () =>
            {
                var jobs = await QueueTopAsync(f, queue, id, req.Top, req.Norm, user.UserId(), ct);
                return Results.Json(jobs.Select(s => new { job = s.Job, outcome = s.Outcome }), statusCode: StatusCodes.Status201Created);
            })).RequireAuthorization(Policies.Admin);

    /// <summary>Queues the audit preset of <paramref name="norm"/> for the board's top <paramref name="top"/> encoders (the API and the board's button).</summary>
    public static async Task<List<SubmittedJob>> QueueTopAsync(IDbContextFactory<PortalDbContext> f, JobQueue queue, int benchmarkId, int top, string norm, string? userId, CancellationToken ct)
    {
        if (top is < 1 or > 50) throw new ArgumentException($"top must be in 1..50 (got {top})");
        var (preset, eps) = norm switch
        {
            "linf" => (Presets.AuditLinf4, 4.0 / 255),
            "l2" => (Presets.AuditL2_3, 3.0),
            _ => throw new ArgumentException($"norm must be linf or l2 (got '{norm}')"),
        };
        var encoders = await TopEncodersAsync(f, benchmarkId, norm, eps, top, ct);
        if (encoders.Count == 0) throw new StateConflictException($"benchmark {benchmarkId} has no APGD result at {norm} ε = {eps:G4} to audit", "no results");
        var jobs = new List<SubmittedJob>();
        foreach (var encoderId in encoders)
            jobs.AddRange(await queue.SubmitAsync(new JobRequest(encoderId, benchmarkId, [preset]), ct, userId));
        return jobs;
    }

    /// <summary>Encoders by their best APGD robust accuracy at the threat model, best first.</summary>
    public static async Task<List<int>> TopEncodersAsync(IDbContextFactory<PortalDbContext> f, int benchmarkId, string norm, double eps, int top, CancellationToken ct)
    {
        await using var db = await f.CreateDbContextAsync(ct);
        var results = await db.Results.AsNoTracking().Where(r => r.DatasetId == benchmarkId && r.Config.Attack == "apgd" && r.Config.Norm == norm && r.RobustValue != null)
            .Select(r => new { r.EncoderId, r.Config.Eps, r.RobustValue }).ToListAsync(ct);
        return results.Where(r => Math.Abs(r.Eps - eps) < 1e-9).GroupBy(r => r.EncoderId)
            .Select(g => (Encoder: g.Key, Best: g.Max(r => r.RobustValue!.Value)))
            .OrderByDescending(x => x.Best).ThenBy(x => x.Encoder).Take(top).Select(x => x.Encoder).ToList();
    }
}
