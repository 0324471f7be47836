namespace Portal.Engine.Retrieval;

/// <summary>
/// A retrieval benchmark on disk. Revisitop (<c>roxford5k</c> / <c>rparis6k</c>): <c>DIR/jpg/&lt;name&gt;.jpg</c> and
/// <c>DIR/gnd_&lt;format&gt;.pkl</c>; queries are <c>qimlist</c> images cropped by their bbx, the database is <c>imlist</c>.
/// Folder: <c>DIR/database/</c> (+ optional <c>DIR/queries/</c>), or every image directly in <c>DIR</c>; when queries
/// come from the database itself, a query is never its own neighbour.
/// </summary>
public sealed record RetrievalDataset(
    string Name,
    string Format,
    IReadOnlyList<RetrievalImage> Database,
    IReadOnlyList<RetrievalImage> Queries,
    RevisitopGroundTruth? GroundTruth,
    bool QueriesFromDatabase)
{
    public static readonly string[] Formats = ["roxford5k", "rparis6k", "folder", "rworld"];

    /// <summary>Opens DIR in the given format, or detects it (a gnd_roxford5k|rparis6k|rworld.pkl → revisitop layout, else folder).</summary>
    public static RetrievalDataset Open(string dir, string? format = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"dataset folder not found: {dir}");
        format ??= Formats.Where(f => f != "folder").FirstOrDefault(f => File.Exists(Path.Combine(dir, $"gnd_{f}.pkl"))) ?? "folder";
        return format switch
        {
            "roxford5k" or "rparis6k" or "rworld" => Revisitop(dir, format), // rworld: the portal demo world in the revisitop layout
            "folder" => Folder(dir),
            _ => throw new ArgumentException($"unknown retrieval format '{format}' (use {string.Join(", ", Formats)})"),
        };
    }

    private static RetrievalDataset Revisitop(string dir, string format)
    {
        var gndPath = Path.Combine(dir, $"gnd_{format}.pkl");
        if (!File.Exists(gndPath)) throw new FileNotFoundException($"{format}: ground truth {gndPath} not found (revisitop layout: DIR/jpg/*.jpg and DIR/gnd_{format}.pkl)");
        var gnd = RevisitopGroundTruth.Load(gndPath);
        string Jpg(string name) => Path.Combine(dir, "jpg", name + ".jpg");
        var db = gnd.ImList.Select(n => new RetrievalImage(n, Jpg(n))).ToList();
        var q = gnd.Queries.Select(x => new RetrievalImage(x.Name, Jpg(x.Name), x.Bbx)).ToList();
        var missing = db.Concat(q).Where(i => !File.Exists(i.Path)).Select(i => i.Path).Distinct().ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException($"{format}: {missing.Count} image(s) named in {Path.GetFileName(gndPath)} are missing, e.g. {string.Join(", ", missing.Take(3))}");
        return new RetrievalDataset(format, format, db, q, gnd, false);
    }

    private static RetrievalDataset Folder(string dir)
    {
        var dbDir = Path.Combine(dir, "database");
        var qDir = Path.Combine(dir, "queries");
        var name = Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar));
        if (Directory.Exists(dbDir))
        {
            var db = RetrievalImages.Folder(dbDir);
            if (db.Count == 0) throw new ArgumentException($"no images in {dbDir}");
            var fromDb = !Directory.Exists(qDir);
            var q = fromDb ? db : RetrievalImages.Folder(qDir);
            if (q.Count == 0) throw new ArgumentException($"no images in {qDir}");
            return new RetrievalDataset(name, "folder", db, q, null, fromDb);
        }
        var all = RetrievalImages.Folder(dir);
        if (all.Count < 2) throw new ArgumentException($"folder retrieval needs at least 2 images in {dir} (or DIR/database and DIR/queries)");
        return new RetrievalDataset(name, "folder", all, all, null, true);
    }
}
