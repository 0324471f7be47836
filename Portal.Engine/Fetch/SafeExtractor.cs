using System.Formats.Tar;
using System.IO.Compression;

namespace Portal.Engine.Fetch;

/// <summary>
/// Extracts zip and tar(.gz) archives into a folder, refusing what could write elsewhere or be something other than
/// data: absolute paths, drive letters, ".." components, links of any kind (symbolic or hard), device/fifo entries.
/// Sizes are counted from the bytes actually written, not the headers, so a lying header does not pass the cap.
/// <paramref name="stripComponents"/> drops leading folders (tar --strip-components); <paramref name="flatten"/>
/// keeps only file names (revisitop moves every image into jpg/).
/// </summary>
public static class SafeExtractor
{
    public static ExtractStats Extract(string archive, string destDir, ExtractionLimits limits, int stripComponents = 0, bool flatten = false)
    {
        var name = archive.ToLowerInvariant();
        if (name.EndsWith(".zip")) return ExtractZip(archive, destDir, limits, stripComponents, flatten);
        if (name.EndsWith(".tar.gz") || name.EndsWith(".tgz") || name.EndsWith(".tar")) return ExtractTar(archive, destDir, limits, stripComponents, flatten);
        throw new FetchException($"not an archive this extractor reads (zip, tar, tar.gz, tgz): {Path.GetFileName(archive)}");
    }

    public static ExtractStats ExtractZip(string archive, string destDir, ExtractionLimits limits, int stripComponents = 0, bool flatten = false)
    {
        var stats = new ExtractStats();
        using var zip = ZipFile.OpenRead(archive);
        foreach (var entry in zip.Entries)
        {
            // Unix mode in the high 16 bits of the external attributes: S_IFLNK etc. A zip "symlink" is a file whose text is the target.
            var unixType = (entry.ExternalAttributes >> 16) & 0xF000;
            if (unixType == 0xA000) throw new FetchException($"{Path.GetFileName(archive)}: entry '{entry.FullName}' is a symbolic link; links are refused");
            if (unixType is not (0 or 0x8000 or 0x4000)) throw new FetchException($"{Path.GetFileName(archive)}: entry '{entry.FullName}' is not a regular file or folder");
            bool isDir = entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\');
            var target = Target(archive, destDir, entry.FullName, stripComponents, flatten && !isDir);
            if (target == null) continue;
            if (isDir) { if (!flatten) Directory.CreateDirectory(target); continue; }
            using var src = entry.Open();
            Write(archive, entry.FullName, src, target, limits, stats);
        }
        return stats;
    }

    public static ExtractStats ExtractTar(string archive, string destDir, ExtractionLimits limits, int stripComponents = 0, bool flatten = false)
    {
        var stats = new ExtractStats();
        using var file = File.OpenRead(archive);
        Stream stream = file;
        // Gzip by magic, not by name: some .tgz mirrors are plain tar and vice versa.
        var magic = new byte[2];
        var gz = file.Read(magic, 0, 2) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        file.Position = 0;
        if (gz) stream = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(stream);
        TarEntry? entry;
        while ((entry = reader.GetNextEntry()) != null)
        {
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    var d = Target(archive, destDir, entry.Name, stripComponents, false);
                    if (d != null && !flatten) Directory.CreateDirectory(d);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    var t = Target(archive, destDir, entry.Name, stripComponents, flatten);
                    if (t == null) break;
                    using (var data = entry.DataStream ?? Stream.Null) Write(archive, entry.Name, data, t, limits, stats);
                    break;
                case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                    throw new FetchException($"{Path.GetFileName(archive)}: entry '{entry.Name}' is a {(entry.EntryType == TarEntryType.HardLink ? "hard" : "symbolic")} link to '{entry.LinkName}'; links are refused");
                case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes or TarEntryType.LongPath or TarEntryType.LongLink:
                    break; // metadata the reader has already applied to the next entry
                default:
                    throw new FetchException($"{Path.GetFileName(archive)}: entry '{entry.Name}' is a {entry.EntryType} entry; only files and folders are extracted");
            }
        }
        return stats;
    }

    /// <summary>The full path an entry lands at, or null when stripping leaves nothing; throws on anything escaping <paramref name="destDir"/>.</summary>
    private static string? Target(string archive, string destDir, string entryName, int strip, bool flatten)
    {
        var n = entryName.Replace('\\', '/');
        if (n.StartsWith('/') || (n.Length >= 2 && n[1] == ':') || n.Contains('\0'))
            throw new FetchException($"{Path.GetFileName(archive)}: entry '{entryName}' has an absolute path; refused");
        var parts = n.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Any(p => p == ".."))
            throw new FetchException($"{Path.GetFileName(archive)}: entry '{entryName}' climbs out with '..'; refused");
        parts = parts.Skip(strip).ToArray();
        if (parts.Length == 0) return null;
        if (flatten) parts = [parts[^1]];
        var root = Path.GetFullPath(destDir);
        var full = Path.GetFullPath(Path.Combine([root, .. parts]));
        // Belt and braces after the component checks: the result must stay under the root.
        if (!full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new FetchException($"{Path.GetFileName(archive)}: entry '{entryName}' resolves outside the destination; refused");
        return full;
    }

    private static void Write(string archive, string entryName, Stream src, string target, ExtractionLimits limits, ExtractStats stats)
    {
        if (++stats.Files > limits.MaxFiles) throw new FetchException($"{Path.GetFileName(archive)}: more than {limits.MaxFiles} files; refused");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // CreateNew: a second entry with the same name (or a flattened collision) is refused rather than overwriting.
        using var dst = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = src.Read(buffer, 0, buffer.Length)) > 0)
        {
            stats.Bytes += n;
            if (stats.Bytes > limits.MaxTotalBytes) throw new FetchException($"{Path.GetFileName(archive)}: extracts to more than {limits.MaxTotalBytes} bytes (at '{entryName}'); refused");
            dst.Write(buffer, 0, n);
        }
    }
}

/// <summary>What an extraction wrote.</summary>
public sealed class ExtractStats
{
    public int Files { get; set; }
    public long Bytes { get; set; }
}
