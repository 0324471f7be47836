using Portal.Data.Reported;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;
using Portal.Web.Features.Leaderboard;

namespace Portal.Web.Features.Reported;

/// <summary>
/// GET /api/reported[?paper=&amp;table=&amp;method=&amp;encoder=&amp;training=&amp;benchmark=&amp;split=&amp;metric=&amp;threat=] (anonymous, strict
/// filters), GET /api/reported/models, and for admins PUT / DELETE /api/encoders/{id}/reported-model (link a checkpoint
/// to the reported model it is, e.g. {"method":"R-CLIP_F","encoder":"ConvNeXt-B","training":"zero-shot"}).
/// </summary>
public static class ReportedApi
{
    public sealed record LinkRequest(string? Method, string? Encoder, string? Training);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/reported", (HttpRequest request, ReportedService svc, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var f = ListFilters.Read(request, ReportedService.Filters);
            var filters = ReportedService.Filters.Where(n => f.String(n) != null).ToDictionary(n => n, n => f.String(n)!);
            if (filters.TryGetValue("threat", out var t) && !ReportedCsv.Threats.Contains(t))
                throw new ArgumentException($"threat must be one of {string.Join(", ", ReportedCsv.Threats)} (got '{t}')");
            var rows = await svc.ListAsync(filters, ct);
            return Results.Ok(rows.Select(r => new
            {
                r.Paper, paper_title = r.PaperTitle, r.Table, r.Row, r.Source, r.Method, r.Encoder, r.Training, r.Benchmark, r.Split, r.Metric, r.Threat, r.Eps,
                value_text = r.ValueText, r.Value, r.Reference, r.Note, contradiction = ReportedCsv.FlagsContradiction(r.Note), on_boards = ReportedBoards.OnBoards(r),
            }));
        }));
        app.MapGet("/api/reported/models", (ReportedService svc, CancellationToken ct) => ApiErrors.Guard(async () => Results.Ok(await svc.ModelsAsync(ct))));
        app.MapPut("/api/encoders/{id:int}/reported-model", (int id, LinkRequest body, ReportedService svc, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var linked = await svc.LinkAsync(id, new ReportedModelName(body.Method?.Trim() ?? "", body.Encoder?.Trim() ?? "", body.Training?.Trim() ?? ""), ct);
            return Results.Ok(new { encoder_id = id, reported_model = linked });
        })).RequireAuthorization(Policies.Admin);
        app.MapDelete("/api/encoders/{id:int}/reported-model", (int id, ReportedService svc, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            await svc.LinkAsync(id, null, ct);
            return Results.NoContent();
        })).RequireAuthorization(Policies.Admin);
    }
}
