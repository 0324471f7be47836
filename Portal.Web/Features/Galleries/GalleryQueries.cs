using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Inversion;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Galleries;

/// <summary>A finished inversion: the result row, its encoder and gallery, and the index.json its job wrote.</summary>
public sealed record GalleryResult(ResultRecord Result, EncoderRecord Encoder, GalleryRecord Gallery, InversionIndex Index)
{
    /// <summary>Targets of a sensitive class (the gallery definition's sensitive_targets): blurred wherever they appear.</summary>
    public IReadOnlySet<string> SensitiveTargets { get; init; } = new HashSet<string>();
    public bool IsSensitive(string target) => SensitiveTargets.Contains(target);

    /// <summary>URL of a file of this result (served by <see cref="GalleriesApi"/>; paths are the index's relative ones).</summary>
    public string Url(string relative) => GalleryUrls.Artifact(Result.Id, relative);

    public InversionResultEntry? Run(string target, int seed) => Index.Results.FirstOrDefault(r => r.Target == target && r.Seed == seed);
    public IEnumerable<InversionResultEntry> Runs(string target) => Index.Results.Where(r => r.Target == target).OrderBy(r => r.Seed);
    public double MeanFinal => Index.Results.Count > 0 ? Index.Results.Average(r => r.FinalCosine) : double.NaN;
}

/// <summary>The Table VII heat-map of a gallery: rows reconstructed with, columns scored by; null where no job scored the pair.</summary>
public sealed record HeatMap(IReadOnlyList<EncoderRecord> Encoders, double?[][] Cells)
{
    public bool IsEmpty => Encoders.Count == 0;
}

public static class GalleryUrls
{
    public const string ArtifactPrefix = "/artifacts/galleries";
    public static string Artifact(int resultId, string relative) => $"{ArtifactPrefix}/{resultId}/{Uri.EscapeDataString(relative).Replace("%2F", "/")}";
}

/// <summary>Reads galleries, finished inversions (with their index files) and active inversion jobs for the pages.</summary>
public sealed class GalleryQueries(IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths)
{
    public async Task<List<GalleryRecord>> GalleriesAsync(TaskKind? kind = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<GalleryRecord> q = db.Galleries.AsNoTracking();
        if (kind != null) q = q.Where(b => b.TaskKind == kind);
        return await q.OrderBy(b => b.Id).ToListAsync(ct);
    }

    /// <summary>The newest finished inversion per (gallery, encoder), optionally for one encoder or one gallery kind.</summary>
    public async Task<List<GalleryResult>> ResultsAsync(int? encoderId = null, int? galleryId = null, TaskKind? kind = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Results.AsNoTracking().Include(r => r.Encoder).Include(r => r.Dataset)
            .Where(r => r.Dataset is GalleryRecord && r.ArtifactsDir != null);
        if (encoderId != null) q = q.Where(r => r.EncoderId == encoderId);
        if (galleryId != null) q = q.Where(r => r.DatasetId == galleryId);
        if (kind != null) q = q.Where(r => r.Dataset!.TaskKind == kind);
        var rows = await q.OrderByDescending(r => r.Id).ToListAsync(ct);
        var list = new List<GalleryResult>();
        foreach (var r in rows.GroupBy(r => (r.DatasetId, r.EncoderId)).Select(g => g.First()))
        {
            var index = ReadIndex(r);
            if (index != null && r.Dataset is GalleryRecord gallery)
                list.Add(new GalleryResult(r, r.Encoder!, gallery, index) { SensitiveTargets = GalleryBlur.SensitiveTargets(gallery) });
        }
        return list.OrderBy(r => r.Gallery.Id).ThenBy(r => r.Encoder.Id).ToList();
    }

    /// <summary>Queued or running inversion jobs (with encoder and gallery), for live cells and progress bars.</summary>
    public async Task<List<JobRecord>> ActiveJobsAsync(int? encoderId = null, TaskKind? kind = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Jobs.AsNoTracking().Include(j => j.Encoder).Include(j => j.Dataset)
            .Where(j => j.Dataset is GalleryRecord && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running));
        if (encoderId != null) q = q.Where(j => j.EncoderId == encoderId);
        if (kind != null) q = q.Where(j => j.Dataset!.TaskKind == kind);
        return await q.OrderBy(j => j.Id).ToListAsync(ct);
    }

    /// <summary>Recent failed inversion jobs, so a page can say why a cell stayed empty.</summary>
    public async Task<List<JobRecord>> FailedJobsAsync(int? encoderId = null, TaskKind? kind = null, int take = 10, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Jobs.AsNoTracking().Include(j => j.Encoder).Include(j => j.Dataset)
            .Where(j => j.Dataset is GalleryRecord && j.Status == JobStatus.Failed);
        if (encoderId != null) q = q.Where(j => j.EncoderId == encoderId);
        if (kind != null) q = q.Where(j => j.Dataset!.TaskKind == kind);
        return await q.OrderByDescending(j => j.Id).Take(take).ToListAsync(ct);
    }

    public async Task<EncoderRecord?> EncoderAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Encoders.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
    }

    /// <summary>The definition of a gallery, or null when its folder is gone.</summary>
    public static GalleryDefinition? Definition(GalleryRecord b)
    {
        try { return GalleryDefinition.Load(b.DatasetRoot); }
        catch (Exception e) when (e is IOException or InvalidDataException) { return null; }
    }

    public async Task<List<EncoderRecord>> InvertibleEncodersAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Encoders.AsNoTracking().Where(e => e.Status == EncoderStatus.Ready && !e.IsBuiltin).OrderBy(e => e.Id).ToListAsync(ct);
    }

    /// <summary>Merges the cross-encoder cells of a gallery's results: the newest cell per (reconstructed with, scored by) wins.</summary>
    public HeatMap HeatMapOf(IReadOnlyList<GalleryResult> results)
    {
        var cells = new Dictionary<(int, int), double>();
        foreach (var r in results.OrderBy(r => r.Result.Id))
        {
            var cross = CrossScores.Read(Path.Combine(paths.Artifacts, r.Result.ArtifactsDir!, CrossScores.FileName));
            foreach (var cell in cross?.Cells ?? [])
                if (double.IsFinite(cell.Mean)) cells[(cell.ReconstructedBy, cell.ScoredBy)] = cell.Mean;
        }
        var encoders = results.Select(r => r.Encoder).DistinctBy(e => e.Id).OrderBy(e => e.Id).ToList();
        var matrix = encoders.Select(row => encoders.Select(col => cells.TryGetValue((row.Id, col.Id), out var v) ? v : (double?)null).ToArray()).ToArray();
        return new HeatMap(encoders, matrix);
    }

    private InversionIndex? ReadIndex(ResultRecord r)
    {
        var path = Path.Combine(paths.Artifacts, r.ArtifactsDir!, InversionIndex.FileName);
        try { return File.Exists(path) ? InversionIndex.Read(path) : null; }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or IOException) { return null; }
    }
}
