using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Images;

namespace Portal.Web.Features.Robustify;

/// <summary>
/// A FARE job's training images are a <see cref="TrainingImageSetRecord"/> (task kind <see cref="TaskKind.Fare"/>, which
/// the worker dispatches on): DatasetRoot = the image folder, ItemCount = its images, VersionHash = every image's
/// relative path and size, so a job refuses a folder that changed after it was queued.
/// </summary>
public static class FareImageSets
{
    // Part of every image set's version since the first schema (they were "images"/"train" benchmark rows then).
    private const string Format = "images", Split = "train";

    /// <summary>Every image below the folder (the engine's <c>ImageFolderImages</c> order), relative, with sizes.</summary>
    public static (int Count, string Version) Describe(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"image folder not found on the server: {root}");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(ImageFiles.IsImageFile)
            .Select(f => (Rel: Path.GetRelativePath(root, f).Replace('\\', '/'), Size: new FileInfo(f).Length))
            .OrderBy(f => f.Rel, StringComparer.Ordinal).ToList();
        if (files.Count < 2) throw new ArgumentException($"{root} holds {files.Count} image file(s) ({string.Join(", ", ImageFiles.Extensions)}); FARE needs at least 2");
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(Encoding.UTF8.GetBytes($"protocol:{TaskKind.Fare.Key()}:{Format}:{Split}\n"));
        foreach (var (rel, size) in files) h.AppendData(Encoding.UTF8.GetBytes($"{rel}:{size}\n"));
        return (files.Count, Convert.ToHexStringLower(h.GetHashAndReset()));
    }

    /// <summary>The image-set record for a folder, created or brought up to date with the folder's current contents.</summary>
    public static async Task<TrainingImageSetRecord> EnsureAsync(PortalDbContext db, string folder, CancellationToken ct)
    {
        var root = Path.GetFullPath(folder);
        var (count, version) = Describe(root);
        var name = $"FARE images: {root}";
        var record = await db.FindNamedAsync<TrainingImageSetRecord>(name, ct);
        if (record == null)
        {
            record = new TrainingImageSetRecord
            {
                Name = name, TaskKind = TaskKind.Fare, DatasetRoot = root, ItemCount = count, VersionHash = version,
                Description = $"{count} training images for FARE fine-tuning", CreatedAt = DateTime.UtcNow,
            };
            db.TrainingImageSets.Add(record);
        }
        else if (record.VersionHash != version)
        {
            // Earlier jobs keep the version they were made with (results store it); new jobs train on the folder as it is now.
            record.VersionHash = version;
            record.ItemCount = count;
            record.Description = $"{count} training images for FARE fine-tuning";
        }
        await db.SaveChangesAsync(ct);
        return record;
    }
}
