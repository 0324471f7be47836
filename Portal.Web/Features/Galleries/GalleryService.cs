using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;
using Portal.Web.Features.Jobs;

namespace Portal.Web.Features.Galleries;

/// <summary>A gallery an operator defines: a folder of target images, or prompts + the CLIP vocabulary file.</summary>
public sealed record GalleryRequest(string Name, string Kind, string? Images = null, string[]? Prompts = null, string? Vocabulary = null,
    int[]? Seeds = null, int? Iterations = null, double? Radius = null, int? TextHeads = null, bool QuickGelu = false, string? Description = null,
    string[]? SensitiveTargets = null);

/// <summary>A researcher's text inversion: one new prompt inverted with one encoder.</summary>
public sealed record TextInversionRequest(int EncoderId, string Prompt);

/// <summary>
/// Galleries are <see cref="GalleryRecord"/>s (task kind feature-inversion / text-inversion) whose DatasetRoot holds the
/// <c>gallery.json</c> definition; their jobs go through the ordinary queue (so identical requests reuse results and
/// progress shows like every other job). A requested prompt becomes a one-prompt text gallery derived from the newest
/// operator-defined text gallery (its vocabulary and protocol).
/// </summary>
public sealed class GalleryService(IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, JobQueue queue, IOptions<PortalOptions> options)
{
    /// <summary>What a text gallery defined without prompts gets: the configured defaults, else the built-in six.</summary>
    public IReadOnlyList<string> DefaultPrompts =>
        options.Value.Galleries.DefaultPrompts.Select(p => p.Trim()).Where(p => p.Length > 0).ToList() is { Count: > 0 } configured
            ? configured : GalleryDefinition.BuiltInPrompts;


    public string GalleriesRoot => Path.Combine(paths.Datasets, "galleries");

    public async Task<GalleryRecord> DefineAsync(GalleryRequest req, bool isDemo, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(req.Name)) throw new ArgumentException("a gallery needs a name");
        var kind = req.Kind switch
        {
            "features" or TaskKinds.FeatureInversionKey => TaskKind.FeatureInversion,
            "text" or TaskKinds.TextInversionKey => TaskKind.TextInversion,
            _ => throw new ArgumentException($"kind must be 'features' or 'text', got '{req.Kind}'"),
        };
        var defaults = new GalleryDefinition { Kind = kind };
        var def = new GalleryDefinition
        {
            Kind = kind,
            Images = req.Images is null ? null : Path.GetFullPath(req.Images),
            Prompts = kind == TaskKind.TextInversion ? (req.Prompts is { Length: > 0 } p ? p.Select(x => x.Trim()).ToList() : DefaultPrompts) : null,
            Vocabulary = req.Vocabulary is null ? null : Path.GetFullPath(req.Vocabulary),
            Seeds = req.Seeds is { Length: > 0 } s ? s : defaults.Seeds,
            Iterations = req.Iterations ?? defaults.Iterations,
            Radius = req.Radius ?? defaults.Radius,
            TextHeads = req.TextHeads,
            QuickGelu = req.QuickGelu,
            SensitiveTargets = req.SensitiveTargets is { Length: > 0 } st ? st.Select(x => x.Trim()).Distinct().ToList() : null,
        };
        return await SaveAsync(req.Name.Trim(), def, req.Description, isDemo, ct);
    }

    /// <summary>Stores the definition in its own folder and registers it (the same definition again returns the existing record).</summary>
    public async Task<GalleryRecord> SaveAsync(string name, GalleryDefinition def, string? description, bool isDemo, CancellationToken ct, string? folder = null)
    {
        def.Validate($"gallery '{name}'");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.FindNamedAsync<GalleryRecord>(name, ct);
        folder ??= existing?.DatasetRoot ?? Path.Combine(GalleriesRoot, Slug(name));
        var staging = folder + ".new";
        def.Save(staging);
        var version = def.Version(staging);
        try { CheckSensitiveTargets(name, def, staging); }
        catch { Directory.Delete(staging, true); throw; }
        if (existing != null)
        {
            Directory.Delete(staging, true);
            if (existing.VersionHash == version && existing.TaskKind == def.Kind) return existing;
            throw new InvalidOperationException($"a gallery named '{name}' already exists with different contents; choose another name");
        }
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        Directory.Move(staging, folder);
        var record = new GalleryRecord
        {
            Name = name, TaskKind = def.Kind, DatasetRoot = folder,
            ItemCount = def.TargetCount(folder), VersionHash = version, IsDemo = isDemo, CreatedAt = DateTime.UtcNow,
            Description = description ?? (def.IsText ? $"{def.Prompts!.Count} prompt(s)" : $"{def.TargetCount(folder)} target image(s)") +
                $", {def.Seeds.Count} seed(s), {def.Iterations} APGD iterations in an L2 ball of radius {def.Radius:0.##}",
        };
        db.Galleries.Add(record);
        await db.SaveChangesAsync(ct);
        return record;
    }

    /// <summary>Sensitive targets are checked against the targets themselves, so a typo cannot leave a sensitive image unblurred unnoticed.</summary>
    private static void CheckSensitiveTargets(string name, GalleryDefinition def, string folder)
    {
        if (def.SensitiveTargets is not { Count: > 0 } sensitive) return;
        if (def.IsText) throw new InvalidDataException($"gallery '{name}': sensitive_targets names target images; a text gallery has prompts");
        var ids = def.TargetFiles(folder).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        if (sensitive.FirstOrDefault(t => !ids.Contains(t)) is { } unknown)
            throw new InvalidDataException($"gallery '{name}': sensitive target '{unknown}' is not one of its targets ({string.Join(", ", ids.Order(StringComparer.Ordinal))})");
    }

    /// <summary>Queues the gallery's inversion for an encoder (its protocol is the job's configuration).</summary>
    public async Task<SubmittedJob> QueueAsync(int encoderId, int benchmarkId, string? submittedBy, CancellationToken ct)
    {
        DatasetRecord dataset;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            dataset = await db.Datasets.AsNoTracking().FirstOrDefaultAsync(b => b.Id == benchmarkId, ct) ?? throw new KeyNotFoundException($"no gallery {benchmarkId}");
        if (dataset is not GalleryRecord bench) throw new ArgumentException($"dataset {dataset.Id} ({dataset.Name}) is a {dataset.KindNoun()}, not an inversion gallery");
        var def = GalleryDefinition.Load(bench.DatasetRoot);
        var submitted = await queue.SubmitAsync(new JobRequest(encoderId, benchmarkId, Config: ConfigOf(def)), ct, submittedBy, operatorConfig: true, runsPerItem: def.Seeds.Count);
        return submitted.Single();
    }

    /// <summary>The job configuration of a gallery: APGD, L2, radius and iterations (seeds live in the definition).</summary>
    public static JobConfig ConfigOf(GalleryDefinition def) =>
        new() { Attack = "apgd", Norm = "l2", Eps = def.Radius, Iterations = def.Iterations, Restarts = 1, Seed = def.Seeds[0] };

    /// <summary>The newest operator-defined text gallery: requested prompts borrow its vocabulary and protocol.</summary>
    public async Task<(GalleryRecord Bench, GalleryDefinition Def)?> BaseTextGalleryAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var texts = await db.Galleries.AsNoTracking().Where(b => b.TaskKind == TaskKind.TextInversion).OrderByDescending(b => b.Id).ToListAsync(ct);
        foreach (var b in texts)
        {
            try
            {
                var d = GalleryDefinition.Load(b.DatasetRoot);
                if (d.Origin == GalleryDefinition.DefinedOrigin) return (b, d);
            }
            catch (Exception e) when (e is IOException or InvalidDataException) { /* a removed folder: skip it */ }
        }
        return null;
    }

    /// <summary>A researcher's prompt: a one-prompt gallery (shared by everyone asking for the same prompt) and its job.</summary>
    public async Task<(GalleryRecord Gallery, SubmittedJob Job)> RequestTextAsync(TextInversionRequest req, string? submittedBy, CancellationToken ct)
    {
        var prompt = Portal.Web.Features.Encoders.EncoderFields.Line(req.Prompt, "prompt", 300) ?? "";
        if (prompt.Length == 0) throw new ArgumentException("the prompt is empty");
        if (prompt.Length > 300) throw new ArgumentException($"the prompt is {prompt.Length} characters; at most 300");
        var baseGallery = await BaseTextGalleryAsync(ct)
            ?? throw new InvalidOperationException("no text gallery is defined: an operator must define one with the CLIP vocabulary file " +
                "(bpe_simple_vocab_16e6.txt.gz, which comes with OpenCLIP checkpoints and cannot be shipped with the portal) before prompts can be requested");
        var def = baseGallery.Def with { Prompts = [prompt], Origin = GalleryDefinition.RequestOrigin };
        var name = $"Text: {prompt}";
        var folder = Path.Combine(GalleriesRoot, "requests", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(prompt)))[..16]);
        GalleryRecord gallery;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            gallery = await db.Galleries.AsNoTracking().FirstOrDefaultAsync(b => b.Name == name, ct) ?? await SaveAsync(name, def, $"requested prompt, protocol of '{baseGallery.Bench.Name}'", false, ct, folder);
        var job = await QueueAsync(req.EncoderId, gallery.Id, submittedBy, ct);
        return (gallery, job);
    }

    private static string Slug(string name)
    {
        var s = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        while (s.Contains("--")) s = s.Replace("--", "-");
        if (s.Length == 0) s = "gallery";
        return (s.Length > 48 ? s[..48] : s) + "-" + Guid.NewGuid().ToString("N")[..6];
    }
}
