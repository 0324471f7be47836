using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Web.Features.Accounts;
using Portal.Web.Configuration;
using Portal.Data.Entities;
using Portal.Web.Http;

namespace Portal.Web.Features.Galleries;

public sealed record GalleryJobRequest(int EncoderId);

/// <summary>
/// Gallery endpoints: list and define galleries (defining is an operator's decision: it names server folders and files),
/// queue a gallery's inversion or a new text prompt (researchers), read results with the Table VII heat-map (anyone),
/// and the images themselves from a result's artifacts folder.
/// </summary>
public static class GalleriesApi
{
    /// <summary>Only what the galleries show is served: images and the index/cross JSON.</summary>
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".json"] = "application/json",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/galleries");
        g.MapGet("", async (GalleryQueries q, CancellationToken ct) => Results.Ok(await q.GalleriesAsync(ct: ct)));

        g.MapPost("", (GalleryRequest req, GalleryService galleries, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var b = await galleries.DefineAsync(req, isDemo: false, ct);
            return Results.Created($"/api/benchmarks/{b.Id}", b);
        })).RequireAuthorization(Policies.Admin);

        g.MapPost("/{id:int}/jobs", (int id, GalleryJobRequest req, ClaimsPrincipal user, GalleryService galleries, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var s = await galleries.QueueAsync(req.EncoderId, id, user.UserId(), ct);
            return Results.Json(new { job = s.Job, outcome = s.Outcome }, statusCode: StatusCodes.Status201Created);
        })).RequireAuthorization(Policies.Researcher);

        g.MapPost("/text", (TextInversionRequest req, ClaimsPrincipal user, GalleryService galleries, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var (gallery, s) = await galleries.RequestTextAsync(req, user.UserId(), ct);
            return Results.Json(new { gallery, job = s.Job, outcome = s.Outcome }, statusCode: StatusCodes.Status201Created);
        })).RequireAuthorization(Policies.Researcher);

        g.MapGet("/{id:int}/results", async (int id, GalleryQueries q, CancellationToken ct) =>
        {
            var results = await q.ResultsAsync(galleryId: id, ct: ct);
            var heat = q.HeatMapOf(results);
            return Results.Ok(new
            {
                results = results.Select(r => new
                {
                    result_id = r.Result.Id, encoder_id = r.Encoder.Id, encoder = r.Encoder.DisplayName, mean_final_cosine = r.MeanFinal,
                    index_url = r.Url(Portal.Engine.Inversion.InversionIndex.FileName), index = r.Index,
                }),
                heat_map = new { encoders = heat.Encoders.Select(e => new { id = e.Id, name = e.DisplayName }), cells = heat.Cells },
            });
        });

        app.MapGet(GalleryUrls.ArtifactPrefix + "/{resultId:int}/{**path}", async (int resultId, string? path, string? reveal, HttpContext http, IDbContextFactory<PortalDbContext> f, DataPaths paths, CancellationToken ct) =>
        {
            await using var db = await f.CreateDbContextAsync(ct);
            var r = await db.Results.AsNoTracking().Include(x => x.Dataset).FirstOrDefaultAsync(x => x.Id == resultId, ct);
            if (r?.ArtifactsDir is null || r.Dataset is not GalleryRecord gallery)
                return Results.NotFound(new { error = $"no inversion result {resultId}" });
            var file = SafeFile(paths.Artifacts, r.ArtifactsDir, path);
            if (file is null) return Results.BadRequest(new { error = "not a file of this result (paths stay inside its folder; png and json only)" });
            if (!File.Exists(file)) return Results.NotFound(new { error = $"result {resultId} has no file {path}" });
            if (Path.GetExtension(file).Equals(".png", StringComparison.OrdinalIgnoreCase) && SensitiveImage(paths.Artifacts, r.ArtifactsDir, path!, gallery))
            {
                // The viewers' rule: blurred for everyone; the original only for a signed-in researcher who asks.
                http.Response.Headers.CacheControl = "private, no-store";
                if (reveal is not ("1" or "true")) return Results.Bytes(Retrieval.SensitiveBlur.Blur(file), "image/png");
                if (http.User.Identity?.IsAuthenticated != true) return Results.Json(new { error = "sign in to reveal sensitive images" }, statusCode: StatusCodes.Status401Unauthorized);
                if (!http.User.IsResearcher()) return Results.Json(new { error = "only researchers may reveal sensitive images" }, statusCode: StatusCodes.Status403Forbidden);
            }
            return Results.File(file, ContentTypes[Path.GetExtension(file)]);
        });
    }

    /// <summary>An image of a sensitive target (original or reconstruction) by the gallery's definition and the result's index.</summary>
    private static bool SensitiveImage(string artifactsRoot, string resultDir, string relative, Portal.Data.Entities.GalleryRecord gallery)
    {
        var sensitive = GalleryBlur.SensitiveTargets(gallery);
        if (sensitive.Count == 0) return false;
        var indexPath = Path.Combine(artifactsRoot, resultDir, Portal.Engine.Inversion.InversionIndex.FileName);
        // A gallery with sensitive targets but no readable index: blur rather than guess which file is which.
        try { return !File.Exists(indexPath) || GalleryBlur.ShouldBlur(Portal.Engine.Inversion.InversionIndex.Read(indexPath), sensitive, relative); }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or IOException) { return true; }
    }

    /// <summary>
    /// The absolute file for a request path, or null when it would leave the result's folder (.., absolute paths,
    /// encoded separators, links resolved by GetFullPath) or is not an image/JSON file.
    /// </summary>
    public static string? SafeFile(string artifactsRoot, string resultDir, string? relative)
    {
        if (string.IsNullOrWhiteSpace(relative) || relative.Contains('\\') || relative.Contains('\0')) return null;
        var parts = relative.Split('/');
        if (parts.Any(p => p is "" or "." or "..")) return null;
        if (!ContentTypes.ContainsKey(Path.GetExtension(relative))) return null;
        var root = Path.GetFullPath(Path.Combine(artifactsRoot, resultDir));
        if (!root.StartsWith(Path.GetFullPath(artifactsRoot) + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
        var full = Path.GetFullPath(Path.Combine(root, relative));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}
