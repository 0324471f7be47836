using System.Security.Claims;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Admin;

/// <summary>PUT /api/encoders/{id}/training-data: what the encoder learned similarity from (null: not stated).</summary>
public sealed record TrainingDataRequest(string? TrainingData);

/// <summary>Admin-only endpoints: delete results and encoders, re-run jobs, allow one TorchScript checkpoint.</summary>
public static class AdminApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api").RequireAuthorization(Policies.Admin);

        g.MapDelete("/results/{id:int}", (int id, AdminActions admin, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            await admin.DeleteResultAsync(id, ct);
            return Results.NoContent();
        }));

        // Lifts a password lockout (failed sign-ins lock an account for minutes; anyone can cause them).
        g.MapPost("/admin/users/{userName}/unlock", (string userName, Microsoft.AspNetCore.Identity.UserManager<Portal.Data.Accounts.PortalUser> users) => ApiErrors.Guard(async () =>
        {
            var u = await users.FindByNameAsync(userName) ?? throw new KeyNotFoundException($"no user {userName}");
            await users.SetLockoutEndDateAsync(u, null);
            await users.ResetAccessFailedCountAsync(u);
            return Results.Ok(new { user_name = u.UserName, locked = false });
        }));

        g.MapPost("/encoders/{id:int}/allow-torchscript", (int id, AdminActions admin, Portal.Web.Dispatch.JobDispatcher dispatcher, CancellationToken ct) => ApiErrors.Guard(async () =>
            Results.Ok(await admin.AllowTorchScriptAsync(id, dispatcher, ct))));

        g.MapPut("/encoders/{id:int}/training-data", (int id, TrainingDataRequest req, AdminActions admin, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var e = await admin.SetTrainingDataAsync(id, req.TrainingData, ct);
            return Results.Ok(new { id = e.Id, training_data = e.TrainingData, training_data_shown = e.TrainingDataShown });
        }));

        g.MapPost("/jobs/{id:int}/rerun", (int id, ClaimsPrincipal user, AdminActions admin, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var s = await admin.RerunAsync(id, user.UserId(), ct);
            return Results.Json(new { job = s.Job, outcome = s.Outcome }, statusCode: StatusCodes.Status201Created);
        }));
    }
}
