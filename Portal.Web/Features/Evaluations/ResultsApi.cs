using System.Globalization;
using System.Text;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Evaluations;

public static class ResultsApi
{
    public const int DefaultResultsLimit = 1000, MaxResultsLimit = 5000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api");
        // Oldest first, a page at a time (limit, default 1000, at most 5000; the CSV export defaults to 5000; offset); X-Total-Count and Link rel="next" say
        // what is left. Anonymous reads are output-cached, evicted when a job ends (Http/ReadCache.cs).
        g.MapGet("/results", (HttpRequest request, IDbContextFactory<PortalDbContext> f) => ApiErrors.Guard(async () =>
            Results.Ok((await Query(f, request)).Select(Summary)))).CacheOutput(Portal.Web.Http.ReadCache.ResultsPolicy).RequireRateLimiting(Portal.Web.Http.ReadCache.AnonymousReadsLimit);

        g.MapGet("/results/{id:int}", async (int id, ClaimsPrincipal user, IDbContextFactory<PortalDbContext> f) =>
        {
            await using var db = await f.CreateDbContextAsync();
            var r = await db.Results.AsNoTracking().Include(x => x.Splits).Include(x => x.Encoder).Include(x => x.Dataset).FirstOrDefaultAsync(x => x.Id == id);
            if (r == null) return Results.NotFound(new { error = $"no result {id}" });
            // The engine's JSON names skipped files by path: cut for everyone but admins (Features/Accounts/Disclosure.cs).
            JsonNode? Json(string text) => user.SeesServerDetails() ? JsonNode.Parse(text) : Disclosure.ScrubPaths(JsonNode.Parse(text));
            return Results.Ok(new { summary = Summary(r), sanity = Json(r.SanityJson), engine_result = Json(r.FullJson) });
        });

        g.MapGet("/results.csv", (HttpRequest request, IDbContextFactory<PortalDbContext> f) => ApiErrors.Guard(async () =>
            Results.Text(Csv(await Query(f, request, MaxResultsLimit)), "text/csv; charset=utf-8"))).CacheOutput(Portal.Web.Http.ReadCache.ResultsPolicy).RequireRateLimiting(Portal.Web.Http.ReadCache.AnonymousReadsLimit);
    }

    private static async Task<List<ResultRecord>> Query(IDbContextFactory<PortalDbContext> f, HttpRequest request, int defaultLimit = DefaultResultsLimit)
    {
        var filters = ListFilters.Read(request, ["benchmark_id", "encoder_id", .. ListFilters.PagingNames]);
        var (benchmarkId, encoderId) = (filters.Int("benchmark_id"), filters.Int("encoder_id"));
        var (offset, limit) = filters.Page(defaultLimit, MaxResultsLimit);
        await using var db = await f.CreateDbContextAsync();
        var q = db.Results.AsNoTracking().AsQueryable();
        if (benchmarkId != null) q = q.Where(r => r.DatasetId == benchmarkId);
        if (encoderId != null) q = q.Where(r => r.EncoderId == encoderId);
        ListFilters.PageHeaders(request.HttpContext.Response, await q.CountAsync(), offset, limit);
        return await q.Include(r => r.Splits).Include(r => r.Encoder).Include(r => r.Dataset).OrderBy(r => r.Id).Skip(offset).Take(limit).AsSplitQuery().ToListAsync();
    }

    public static object Summary(ResultRecord r) => new
    {
        r.Id, r.JobId, r.EncoderId, encoder = r.Encoder?.DisplayName, r.EncoderSha256, benchmark_id = r.DatasetId, benchmark = r.Dataset?.Name, benchmark_version = r.DatasetVersion,
        r.ConfigKey, r.Config, r.Metric, r.N, r.CleanValue, r.RobustValue, r.SkippedItems, r.SanityPassed,
        splits = r.Splits.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new { s.Name, s.N, s.CleanValue, s.RobustValue, s.LpipsScore }),
        r.EngineVersion, r.Device, r.WallSeconds, r.CreatedAt,
    };

    /// <summary>One row per result, its metric named (<see cref="ResultMetrics"/>); per-split values as extra columns named split:&lt;name&gt;:clean / :robust.</summary>
    public static string Csv(IReadOnlyList<ResultRecord> results)
    {
        var splitNames = results.SelectMany(r => r.Splits.Select(s => s.Name)).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        var head = new List<string> { "result_id", "job_id", "encoder", "encoder_sha256", "benchmark", "benchmark_version", "attack", "norm", "eps", "iterations", "queries", "restarts", "seed", "limit",
            "metric", "n", "clean_value", "robust_value", "sanity_passed", "skipped_items", "engine_version", "device", "wall_seconds", "created_at" };
        foreach (var s in splitNames) { head.Add($"split:{s}:n"); head.Add($"split:{s}:clean"); head.Add($"split:{s}:robust"); }
        sb.AppendLine(string.Join(',', head.Select(Esc)));
        foreach (var r in results)
        {
            var c = r.Config;
            var row = new List<string?> { N(r.Id), N(r.JobId), r.Encoder?.DisplayName, r.EncoderSha256, r.Dataset?.Name, r.DatasetVersion, c.Attack, c.IsAttack ? c.Norm : "",
                c.IsAttack ? D(c.Eps) : "", c.Attack == "apgd" ? N(c.Iterations) : "", c.Queries is int q ? N(q) : "", c.IsAttack ? N(c.Restarts) : "", c.IsAttack ? N(c.Seed) : "", c.Limit?.ToString(CultureInfo.InvariantCulture),
                r.Metric, N(r.N), D(r.CleanValue), D(r.RobustValue), r.SanityPassed ? "true" : "false", N(r.SkippedItems), r.EngineVersion, r.Device, D(r.WallSeconds),
                r.CreatedAt.ToString("O", CultureInfo.InvariantCulture) };
            foreach (var name in splitNames)
            {
                var s = r.Splits.FirstOrDefault(x => x.Name == name);
                row.Add(s == null ? "" : N(s.N)); row.Add(D(s?.CleanValue)); row.Add(D(s?.RobustValue));
            }
            sb.AppendLine(string.Join(',', row.Select(Esc)));
        }
        return sb.ToString();
    }

    private static string N(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string D(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    private static string Esc(string? s) => Http.CsvCell.Escape(s);
}
