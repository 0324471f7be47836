namespace Portal.Web.Features.Leaderboard;

/// <summary>
/// GET /api/leaderboards (the picker), GET /api/leaderboards/{benchmark}[?format=csv&amp;family=&amp;backbone=&amp;kind=robust|clean&amp;search=]
/// where benchmark is "overview", an id, a name or a reported-only board's key ("reported-things"); &amp;source=reported|measured|both. Public: leaderboards need no account.
/// </summary>
public static class LeaderboardApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/leaderboards", async (LeaderboardService svc, CancellationToken ct) => Results.Ok(await svc.ChoicesAsync(ct)));
        app.MapGet("/api/leaderboards/{benchmark}", async (string benchmark, string? format, string? family, string? backbone, string? kind, string? search, string? source,
            LeaderboardService svc, CancellationToken ct) =>
        {
            if (kind is not (null or "" or LeaderboardFilter.RobustKind or LeaderboardFilter.CleanKind))
                return Results.BadRequest(new { error = $"kind must be '{LeaderboardFilter.RobustKind}' or '{LeaderboardFilter.CleanKind}' (got '{kind}')" });
            if (source is not (null or "" or LeaderboardFilter.BothSources or LeaderboardFilter.ReportedSource or LeaderboardFilter.MeasuredSource))
                return Results.BadRequest(new { error = $"source must be '{LeaderboardFilter.ReportedSource}', '{LeaderboardFilter.MeasuredSource}' or '{LeaderboardFilter.BothSources}' (got '{source}')" });
            if (format is not (null or "" or "json" or "csv"))
                return Results.BadRequest(new { error = $"format must be json or csv (got '{format}')" });
            var board = await svc.BuildAsync(benchmark, ct);
            if (board == null) return Results.NotFound(new { error = $"no benchmark '{benchmark}' (use 'overview', a benchmark id or its name)" });
            var rows = new LeaderboardFilter(family, backbone, kind, search, source).Apply(board.Rows).ToList();
            return format == "csv"
                ? Results.File(System.Text.Encoding.UTF8.GetBytes(LeaderboardExport.Csv(board, rows)), "text/csv; charset=utf-8", LeaderboardExport.FileName(board, "csv"))
                : Results.Ok(LeaderboardExport.Json(board, rows));
        });
    }
}
