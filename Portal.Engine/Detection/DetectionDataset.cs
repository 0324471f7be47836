using Portal.Engine.Checkpoints;
using Portal.Engine.Retrieval;

namespace Portal.Engine.Detection;

/// <summary>
/// A detection-by-retrieval benchmark on disk:
/// <c>DIR/pools/&lt;class&gt;/</c> (the retrieval pools, at least two classes, e.g. safe, buffer, unsafe),
/// <c>DIR/queries/&lt;class&gt;/</c> (queries with known class, disjoint from the pools) and optionally
/// <c>DIR/targets/&lt;class&gt;/</c> (images the targeted attack pulls towards, not in the pools).
/// Disjointness is checked by file content. The two-class variant (dataset filtering) drops the buffer class.
/// </summary>
public sealed record DetectionDataset(
    string Name,
    IReadOnlyList<string> Classes,
    IReadOnlyDictionary<string, List<RetrievalImage>> Pools,
    IReadOnlyDictionary<string, List<RetrievalImage>> Queries,
    IReadOnlyDictionary<string, List<RetrievalImage>> Targets,
    bool TwoClass)
{
    public const string Safe = "safe", Buffer = "buffer", Unsafe = "unsafe";
    private static readonly string[] Preferred = [Safe, Buffer, Unsafe];

    public static DetectionDataset Open(string dir, bool twoClass = false)
    {
        var poolsDir = Path.Combine(dir, "pools");
        if (!Directory.Exists(poolsDir))
            throw new DirectoryNotFoundException($"detection dataset needs {poolsDir} with one folder per class (e.g. safe, buffer, unsafe), plus queries/<class> and targets/<class>");
        var classes = Directory.GetDirectories(poolsDir).Select(Path.GetFileName).OfType<string>()
            .Where(c => !(twoClass && c == Buffer))
            .OrderBy(c => Array.IndexOf(Preferred, c) is var i && i >= 0 ? i : Preferred.Length).ThenBy(c => c, StringComparer.Ordinal).ToList();
        if (classes.Count < 2) throw new ArgumentException($"{poolsDir}: need at least two class folders, found {classes.Count}");
        Dictionary<string, List<RetrievalImage>> Section(string section, bool required)
        {
            var r = new Dictionary<string, List<RetrievalImage>>();
            foreach (var c in classes)
            {
                var d = Path.Combine(dir, section, c);
                r[c] = Directory.Exists(d) ? RetrievalImages.Folder(d, $"{section}/{c}/") : [];
                if (required && r[c].Count == 0) throw new ArgumentException($"no images in {d}");
            }
            return r;
        }
        var pools = Section("pools", true);
        var queries = Section("queries", false);
        var targets = Section("targets", false);
        if (queries.Values.All(q => q.Count == 0)) throw new ArgumentException($"no query images under {Path.Combine(dir, "queries")}/<class>");
        CheckDisjoint(pools, queries, targets);
        var name = Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar)) + (twoClass ? "-2class" : "");
        return new DetectionDataset(name, classes, pools, queries, targets, twoClass);
    }

    /// <summary>A query or target that is also a pool image would find itself: refuse, naming both files.</summary>
    private static void CheckDisjoint(params Dictionary<string, List<RetrievalImage>>[] sections)
    {
        var seen = new Dictionary<string, string>();
        foreach (var img in sections[0].Values.SelectMany(v => v)) seen.TryAdd(FileHash.Sha256(img.Path), img.Path);
        foreach (var section in sections.Skip(1))
            foreach (var img in section.Values.SelectMany(v => v))
            {
                var h = FileHash.Sha256(img.Path);
                if (seen.TryGetValue(h, out var other))
                    throw new ArgumentException($"{img.Path} is the same image as pool image {other}; queries and targets must be disjoint from the pools");
            }
    }
}
