using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Web.Features.Accounts;
using Portal.Web.Configuration;

using Portal.Web.Features.Encoders;
using Portal.Web.Http;

namespace Portal.Web.Dispatch;

/// <summary>
/// Files for workers that do not mount the storage root. Every call carries `Authorization: Bearer &lt;Portal:Workers:Token&gt;`
/// (<see cref="Policies.Worker"/>, its own authentication scheme): that secret opens these two endpoints and nothing
/// else, no user's token opens them, and without a configured token they answer 401. A worker fetches a checkpoint (HTTP ranges, so a broken transfer resumes) and sends a finished job's
/// artifacts back as a zip, which is unpacked into that job's folder only.
/// </summary>
public static class WorkerFilesApi
{
    public const long MaxArtifactBytes = 8L << 30;
    public const int MaxArtifactEntries = 200_000;

    public static void MapWorkerFiles(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/worker").RequireAuthorization(Policies.Worker).DisableAntiforgery();

        g.MapGet("/encoders/{id:int}/checkpoint", async (int id, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var e = await db.Encoders.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
            if (e?.StoragePath == null || e.IsBuiltin || !File.Exists(e.StoragePath)) return Results.NotFound(new { error = $"encoder {id} has no checkpoint file" });
            return Results.File(e.StoragePath, "application/octet-stream", enableRangeProcessing: true);
        });

        // A worker without the storage root sends the checkpoint it imported (Features/Encoders/CheckpointImports.cs); the web hashes
        // the bytes itself and stores them only for a record that is still waiting for its file.
        g.MapPut("/encoders/{id:int}/checkpoint", async (int id, string sha256, HttpContext http, IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths,
            Microsoft.Extensions.Options.IOptions<PortalOptions> options, CancellationToken ct) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var e = await db.Encoders.SingleOrDefaultAsync(x => x.Id == id, ct);
            if (e == null || !e.IsImporting) return Results.Conflict(new { error = $"encoder {id} is not waiting for an imported file" });
            if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
            var temp = Path.Combine(paths.Uploads, $"import-{id}-{Guid.NewGuid():N}.tmp");
            try
            {
                var got = await StreamingReceiver.ReceiveAsync(http.Request.Body, temp, options.Value.MaxUploadBytes, ct);
                if (!string.Equals(got.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
                    return Results.UnprocessableEntity(new { error = $"the bytes received have sha256 {got.Sha256}, the worker announced {sha256}" });
                var stored = paths.CheckpointFor(got.Sha256);
                File.Move(temp, stored, overwrite: true);
                (e.StoragePath, e.SizeBytes, e.OwnsFile) = (stored, got.Length, true);
                await db.SaveChangesAsync(ct);
                return Results.Ok(new { encoder = id, bytes = got.Length });
            }
            catch (UploadTooLargeException x) { return Results.Json(new { error = x.Message }, statusCode: StatusCodes.Status413PayloadTooLarge); }
            finally { StreamingReceiver.TryDelete(temp); }
        });

        g.MapPut("/jobs/{id:int}/artifacts", async (int id, HttpContext http, IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, CancellationToken ct) =>
        {
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
                if (!await db.Jobs.AnyAsync(j => j.Id == id, ct)) return Results.NotFound(new { error = $"no job {id}" });
            if (http.Request.ContentType?.StartsWith("application/zip", StringComparison.OrdinalIgnoreCase) != true)
                return Results.Json(new { error = "send the artifacts as application/zip" }, statusCode: 415);
            var temp = Path.Combine(paths.Uploads, $"artifacts-{id}-{Guid.NewGuid():N}.zip");
            try
            {
                await using (var f = File.Create(temp)) await CopyCapped(http.Request.Body, f, MaxArtifactBytes, ct);
                var folder = Path.Combine(paths.Artifacts, "jobs", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Unpack(temp, folder);
                return Results.Ok(new { job = id, folder = Path.GetRelativePath(paths.Artifacts, folder) });
            }
            catch (InvalidDataException e) { return Results.Json(new { error = e.Message }, statusCode: 422); }
            finally { try { File.Delete(temp); } catch (IOException) { } }
        });
    }

    private static async Task CopyCapped(Stream from, Stream to, long max, CancellationToken ct)
    {
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = await from.ReadAsync(buffer, ct)) > 0)
        {
            if ((total += n) > max) throw new InvalidDataException($"the artifacts are larger than {max} bytes");
            await to.WriteAsync(buffer.AsMemory(0, n), ct);
        }
    }

    /// <summary>Every entry must land inside <paramref name="folder"/>: no absolute paths, no "..", bounded count and size.</summary>
    internal static void Unpack(string zipPath, string folder)
    {
        var root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        using var zip = ZipFile.OpenRead(zipPath);
        if (zip.Entries.Count > MaxArtifactEntries) throw new InvalidDataException($"the artifacts hold {zip.Entries.Count} entries (at most {MaxArtifactEntries})");
        long declared = 0;
        foreach (var e in zip.Entries)
        {
            var name = e.FullName.Replace('\\', '/');
            if (name.StartsWith('/') || name.Split('/').Any(p => p is ".." or ".") || Path.IsPathRooted(name) || name.Contains(':'))
                throw new InvalidDataException($"artifact entry '{e.FullName}' points outside the job folder");
            var target = Path.GetFullPath(Path.Combine(root, name));
            if (!target.StartsWith(root, StringComparison.Ordinal)) throw new InvalidDataException($"artifact entry '{e.FullName}' points outside the job folder");
            if ((declared += e.Length) > MaxArtifactBytes) throw new InvalidDataException($"the artifacts unpack to more than {MaxArtifactBytes} bytes");
        }
        foreach (var e in zip.Entries)
        {
            var target = Path.GetFullPath(Path.Combine(root, e.FullName.Replace('\\', '/')));
            if (e.FullName.EndsWith('/')) { Directory.CreateDirectory(target); continue; }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            e.ExtractToFile(target, overwrite: true);
        }
    }
}
