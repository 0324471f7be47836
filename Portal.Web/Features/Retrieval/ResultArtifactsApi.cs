using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Retrieval;

/// <summary>
/// <c>GET /artifacts/results/{id}/{**path}</c>: a file of the result's evidence folder, nothing outside it. Images of a
/// sensitive class are served blurred to everyone; <c>?reveal=1</c> serves the original to a signed-in researcher
/// (401 anonymous, 403 other accounts). Images the index does not name are not served.
/// </summary>
public static class ResultArtifactsApi
{
    public const string Route = "/artifacts/results";

    public static string Url(int resultId, string relative, bool reveal = false) =>
        $"{Route}/{resultId}/{string.Join('/', relative.Split('/').Select(Uri.EscapeDataString))}" + (reveal ? "?reveal=1" : "");

    public static void Map(IEndpointRouteBuilder app) => app.MapGet(Route + "/{id:int}/{**path}", async (int id, string? path, string? reveal,
        HttpContext http, IDbContextFactory<PortalDbContext> f, EvidenceFiles files) =>
    {
        await using var db = await f.CreateDbContextAsync();
        var result = await db.Results.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id);
        if (result == null) return Results.NotFound(new { error = $"no result {id}" });
        var folder = files.Folder(result);
        if (folder == null) return Results.NotFound(new { error = $"result {id} has no artifacts" });
        var full = EvidenceFiles.Resolve(folder, path ?? "");
        if (full == null) return Results.BadRequest(new { error = "path outside the result's artifacts" });
        if (!File.Exists(full)) return Results.NotFound(new { error = $"no artifact '{path}'" });
        var relative = Path.GetRelativePath(folder, full).Replace('\\', '/');
        if (relative == "index.json") return Results.File(full, "application/json");

        var sensitive = files.Sensitivity(folder, relative);
        if (sensitive == null) return Results.NotFound(new { error = $"'{path}' is not an evidence image of result {id}" });
        http.Response.Headers.CacheControl = sensitive.Value ? "private, no-store" : "public, max-age=3600";
        if (!sensitive.Value) return Results.File(full, "image/png");
        if (reveal is "1" or "true")
        {
            if (http.User.Identity?.IsAuthenticated != true) return Results.Json(new { error = "sign in to reveal sensitive images" }, statusCode: StatusCodes.Status401Unauthorized);
            if (!http.User.IsResearcher()) return Results.Json(new { error = "only researchers may reveal sensitive images" }, statusCode: StatusCodes.Status403Forbidden);
            return Results.File(full, "image/png");
        }
        return Results.Bytes(SensitiveBlur.Blur(full), "image/png");
    });
}
