using Portal.Data.Entities;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portal.Engine.TwoAfc;

namespace Portal.Web.Features.Benchmarks;

/// <summary>
/// A benchmark's version: sha256 over the protocol (task, format, split) and every item (id, split, label, image paths
/// relative to the dataset root, file sizes). Results are reused only while this matches, so an edited dataset is re-run.
/// </summary>
public static class BenchmarkVersion
{
    public static string Compute(TaskKind taskKind, string format, string split, string root, IReadOnlyList<TwoAfcItem> items)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => h.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add($"protocol:{taskKind.Key()}:{format}:{split}");
        foreach (var it in items.OrderBy(i => i.Id, StringComparer.Ordinal))
        {
            Add(string.Join('|', it.Id, it.Split, it.Label.ToString("R", CultureInfo.InvariantCulture),
                Describe(root, it.RefPath), Describe(root, it.Path0), Describe(root, it.Path1)));
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    /// <summary>
    /// The same for file-based task kinds (retrieval, detection): the protocol plus every file (relative path, size);
    /// <paramref name="hashed"/> files (ground-truth pickles) also by content, since an edit may keep their size.
    /// </summary>
    public static string ComputeFiles(TaskKind taskKind, string format, string split, string root, IEnumerable<string> files, IEnumerable<string>? hashed = null)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => h.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add($"protocol:{taskKind.Key()}:{format}:{split}");
        foreach (var f in files.Select(f => Describe(root, f)).Distinct().OrderBy(s => s, StringComparer.Ordinal)) Add(f);
        foreach (var f in (hashed ?? []).OrderBy(f => f, StringComparer.Ordinal))
            Add(Describe(root, f) + ":" + Portal.Engine.Checkpoints.FileHash.Sha256(f));
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    private static string Describe(string root, string path)
    {
        var rel = Path.GetRelativePath(root, path).Replace('\\', '/');
        var len = File.Exists(path) ? new FileInfo(path).Length : -1;
        return $"{rel}:{len}";
    }
}
