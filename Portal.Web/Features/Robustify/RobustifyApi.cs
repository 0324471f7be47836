using System.Security.Claims;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Robustify;

/// <summary>
/// POST /api/encoders/{id}/robustify {image_folder, eps | eps_255, steps, batch_size, learning_rate, …}: queue a FARE job
/// (researcher or admin). POST /api/encoders/{id}/evaluate-standard: clean + L∞ 4/255 on every 2AFC benchmark.
/// GET /api/encoders/{id}/lineage: parent and FARE children.
/// </summary>
public static class RobustifyApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/encoders");

        g.MapPost("/{id:int}/robustify", (int id, RobustifyRequest req, ClaimsPrincipal user, RobustifyService service, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var s = await service.SubmitAsync(id, req, user.UserId(), ct);
            return Results.Json(new { job = s.Job, outcome = s.Outcome }, statusCode: StatusCodes.Status201Created);
        })).RequireAuthorization(Policies.Researcher);

        g.MapPost("/{id:int}/evaluate-standard", (int id, int? iterations, ClaimsPrincipal user, RobustifyService service, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var jobs = await service.QueueStandardEvaluationsAsync(id, user.UserId(), ct, iterations);
            return Results.Json(jobs.Select(s => new { job = s.Job, outcome = s.Outcome }), statusCode: StatusCodes.Status201Created);
        })).RequireAuthorization(Policies.Researcher);

        g.MapGet("/{id:int}/lineage", async (int id, RobustifyService service, CancellationToken ct) =>
        {
            var l = await service.LineageAsync(id, ct);
            return Results.Ok(new { parent = l.Parent, children = l.Children });
        });
    }
}
