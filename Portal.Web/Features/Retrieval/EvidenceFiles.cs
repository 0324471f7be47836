using System.Collections.Concurrent;
using System.Text.Json;
using Portal.Data.Entities;
using Portal.Engine.Retrieval;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Retrieval;

/// <summary>
/// A result's evidence folder on disk: resolves request paths inside it (never outside), reads its index.json and says
/// which images are served blurred (<see cref="SensitiveBlur.ShouldBlur"/>: a sensitive query's adversarial image too, its perturbation never).
/// </summary>
public sealed class EvidenceFiles(DataPaths paths)
{
    private readonly ConcurrentDictionary<string, (DateTime Stamp, EvidenceIndex Index, Dictionary<string, bool> Images)> _cache = new();

    /// <summary>The result's evidence folder, or null when it has none (or the recorded folder is not under artifacts/).</summary>
    public string? Folder(ResultRecord r)
    {
        if (string.IsNullOrEmpty(r.ArtifactsDir)) return null;
        var artifacts = Path.GetFullPath(paths.Artifacts);
        var dir = Path.GetFullPath(Path.Combine(artifacts, r.ArtifactsDir));
        return Inside(artifacts, dir) ? dir : null;
    }

    /// <summary>The file a relative request path names, or null if it leaves the folder (.., absolute, encoded tricks).</summary>
    public static string? Resolve(string folder, string relative)
    {
        if (string.IsNullOrEmpty(relative) || relative.Contains('\0') || Path.IsPathRooted(relative)) return null;
        var full = Path.GetFullPath(Path.Combine(folder, relative));
        return Inside(folder, full) ? full : null;
    }

    private static bool Inside(string folder, string full) =>
        full.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    public EvidenceIndex? Index(string folder) => Load(folder)?.Index;

    /// <summary>null: not an image of the index (not served); else whether it is sensitive.</summary>
    public bool? Sensitivity(string folder, string relative)
    {
        var entry = Load(folder);
        if (entry == null) return null;
        return entry.Value.Images.TryGetValue(relative.Replace('\\', '/'), out var s) ? s : null;
    }

    private (DateTime Stamp, EvidenceIndex Index, Dictionary<string, bool> Images)? Load(string folder)
    {
        var path = Path.Combine(folder, "index.json");
        if (!File.Exists(path)) return null;
        var stamp = File.GetLastWriteTimeUtc(path);
        if (_cache.TryGetValue(path, out var hit) && hit.Stamp == stamp) return hit;
        var index = JsonSerializer.Deserialize<EvidenceIndex>(File.ReadAllText(path), EvidenceIndex.Json)
            ?? throw new InvalidDataException($"{path}: empty evidence index");
        var images = new Dictionary<string, bool>(StringComparer.Ordinal);
        void Mark(string? rel, ImageRole role, bool sensitiveClass)
        {
            if (rel == null) return;
            images[rel] = images.GetValueOrDefault(rel) || SensitiveBlur.ShouldBlur(role, sensitiveClass);
        }
        foreach (var it in index.Items)
        {
            Mark(it.Query, ImageRole.Query, it.QuerySensitive);
            Mark(it.Adversarial, ImageRole.Adversarial, it.QuerySensitive);
            Mark(it.Perturbation, ImageRole.Perturbation, it.QuerySensitive);
            foreach (var n in it.Clean.Concat(it.Attacked ?? [])) Mark(n.Image, ImageRole.Neighbour, n.Sensitive);
        }
        var entry = (stamp, index, images);
        _cache[path] = entry;
        return entry;
    }
}
