using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Engine.Fetch;

/// <summary>A file of a fetched dataset as downloaded: what checksums.json and .complete record.</summary>
public sealed record FetchedFile(string Url, long Bytes, string Sha256);

/// <summary>The outcome of `portal datasets fetch`.</summary>
public sealed record DatasetFetchResult(string Name, string Root, bool AlreadyComplete, IReadOnlyList<FetchedFile> Files, int ExtractedFiles, long ExtractedBytes, IReadOnlyList<string> PinnedNow);

/// <summary>
/// Fetches a catalogued dataset into DIR/&lt;name&gt;: every file through the resumable downloader into
/// DIR/.downloads/&lt;name&gt;/, extraction into DIR/.staging-&lt;name&gt;, a layout check, the .complete marker as the
/// last file written in the staging folder, then one rename to DIR/&lt;name&gt; — so the dataset folder either does not
/// exist or is complete. A rerun of a complete dataset reads the marker and does nothing else.
/// </summary>
public sealed class DatasetFetcher(FetchOptions options, ExtractionLimits? limits = null)
{
    public const string CompleteMarker = ".complete";
    public const string ChecksumsFile = "checksums.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record Marker(string Name, IReadOnlyList<FetchedFile> Files, int ExtractedFiles, long ExtractedBytes, DateTimeOffset CompletedAt);

    public async Task<DatasetFetchResult> FetchAsync(string name, string dir, string? baseUrl, CancellationToken ct, Action<string>? log = null)
    {
        var entry = DatasetCatalog.Get(name);
        dir = Path.GetFullPath(dir);
        var root = Path.Combine(dir, entry.Name);
        var marker = Path.Combine(root, CompleteMarker);
        if (File.Exists(marker))
        {
            var m = JsonSerializer.Deserialize<Marker>(File.ReadAllText(marker), Json)!;
            return new DatasetFetchResult(entry.Name, root, true, m.Files, m.ExtractedFiles, m.ExtractedBytes, []);
        }
        if (Directory.Exists(root))
            throw new FetchException($"{root} exists without {CompleteMarker}: it was not made by a finished fetch; move it away and rerun (downloads in {Path.Combine(dir, ".downloads")} are kept and resumed)");

        Directory.CreateDirectory(dir);
        var checksumsPath = Path.Combine(dir, ChecksumsFile);
        var pinned = ReadChecksums(checksumsPath);
        var downloads = Path.Combine(dir, ".downloads", entry.Name);
        var files = new List<(DatasetFile Spec, DownloadResult Got)>();
        using (var client = FetchHttp.CreateClient(options))
        {
            var downloader = new ResumableDownloader(client, options);
            foreach (var f in entry.Files)
            {
                var url = DatasetCatalog.Rebase(f.Url, baseUrl);
                var expected = f.Sha256 ?? (pinned.TryGetValue(f.Url, out var p) ? p.Sha256 : null);
                log?.Invoke($"{entry.Name}: {f.FileName} from {FetchHttp.Redact(url)}{(expected != null ? $" (expecting sha256 {expected})" : "")}");
                var got = await downloader.DownloadAsync(url, Path.Combine(downloads, f.FileName), expected, ct);
                var size = f.Bytes ?? (pinned.TryGetValue(f.Url, out var q) ? q.Bytes : null);
                if (size is long s && got.Bytes != s)
                {
                    File.Delete(got.Path);
                    throw new FetchException($"{f.FileName} is {got.Bytes} bytes, expected {s}; deleted");
                }
                files.Add((f, got));
            }
        }

        foreach (var old in Directory.EnumerateDirectories(dir, ".staging-" + entry.Name + "-*")) Directory.Delete(old, true);
        var staging = Path.Combine(dir, $".staging-{entry.Name}-{Guid.NewGuid():N}"[..(".staging-".Length + entry.Name.Length + 9)]);
        int extractedFiles = 0;
        long extractedBytes = 0;
        try
        {
            foreach (var (spec, got) in files)
            {
                var into = Path.Combine(staging, spec.Into);
                Directory.CreateDirectory(into);
                if (!spec.Extract)
                {
                    File.Copy(got.Path, Path.Combine(into, spec.FileName));
                    extractedFiles++; extractedBytes += got.Bytes;
                    continue;
                }
                log?.Invoke($"{entry.Name}: extracting {spec.FileName}");
                ExtractStats stats;
                try { stats = SafeExtractor.Extract(got.Path, into, limits ?? ExtractionLimits.Default, 0, spec.Flatten); }
                catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
                {
                    File.Delete(got.Path); // a corrupt archive is never kept as if it were done
                    throw new FetchException($"{spec.FileName} is not a readable archive ({e.Message}); it was deleted, rerun to download it again", e);
                }
                extractedFiles += stats.Files; extractedBytes += stats.Bytes;
                if (spec.Hoist != null) HoistSingle(into, spec.Hoist);
            }
            var missing = entry.Layout.Where(l => !File.Exists(Path.Combine(staging, l)) && !Directory.Exists(Path.Combine(staging, l))).ToList();
            if (missing.Count > 0)
            {
                // Archives no finished fetch has vouched for go too, so a rerun downloads them again instead of reusing them.
                foreach (var (spec, got) in files) if (!pinned.ContainsKey(spec.Url)) File.Delete(got.Path);
                throw new FetchException($"{entry.Name}: after extraction {string.Join(", ", missing)} is missing (expected {string.Join(", ", entry.Layout)}); nothing was installed, and the unverified downloads were deleted");
            }

            var record = files.Select(x => new FetchedFile(x.Spec.Url, x.Got.Bytes, x.Got.Sha256)).ToList();
            var newlyPinned = new List<string>();
            foreach (var r in record)
                if (!pinned.ContainsKey(r.Url)) { pinned[r.Url] = r; newlyPinned.Add(r.Url); }
            WriteAtomically(checksumsPath, JsonSerializer.Serialize(pinned, Json));
            WriteAtomically(Path.Combine(staging, CompleteMarker), JsonSerializer.Serialize(new Marker(entry.Name, record, extractedFiles, extractedBytes, DateTimeOffset.UtcNow), Json));
            Directory.Move(staging, root);
            foreach (var (_, got) in files) File.Delete(got.Path); // the archives have served; their hashes stay in checksums.json
            TryDeleteEmpty(downloads);
            return new DatasetFetchResult(entry.Name, root, false, record, extractedFiles, extractedBytes, newlyPinned);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
            throw;
        }
    }

    /// <summary>How the portal registers the fetched folder (the web does it; this only says how).</summary>
    public static IReadOnlyList<string> RegisterCommands(DatasetEntry entry, string root)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["name"] = entry.Name, ["dataset_root"] = root, ["format"] = entry.Format, ["split"] = entry.Split,
        });
        var list = new List<string> { $"curl -X POST -H 'Content-Type: application/json' -H \"Authorization: Bearer $PORTAL_TOKEN\" -d '{body}' $PORTAL/api/benchmarks" };
        if (entry.TaskKind == "retrieval") list.Insert(0, $"portal datasets describe --kind retrieval --format {entry.Format} --root {root}");
        return list;
    }

    private static Dictionary<string, FetchedFile> ReadChecksums(string path)
    {
        if (!File.Exists(path)) return new(StringComparer.Ordinal);
        try { return JsonSerializer.Deserialize<Dictionary<string, FetchedFile>>(File.ReadAllText(path), Json) ?? new(StringComparer.Ordinal); }
        catch (JsonException e) { throw new FetchException($"{path} is not readable JSON ({e.Message}); fix or remove it", e); }
    }

    private static void HoistSingle(string folder, string name)
    {
        var entries = Directory.GetFileSystemEntries(folder);
        var inner = Path.Combine(folder, name);
        if (entries.Length != 1 || !Directory.Exists(inner)) return;
        // Aside first, so an inner entry with the same name (nights/nights) does not collide with its parent.
        var aside = Path.Combine(folder, ".hoist-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(inner, aside);
        inner = aside;
        foreach (var e in Directory.GetFileSystemEntries(inner))
        {
            var to = Path.Combine(folder, Path.GetFileName(e));
            if (Directory.Exists(e)) Directory.Move(e, to); else File.Move(e, to);
        }
        Directory.Delete(inner);
    }

    private static void WriteAtomically(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }

    private static void TryDeleteEmpty(string dir)
    {
        try { if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir); } catch (IOException) { }
    }
}
