using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Portal.Data.Entities;

namespace Portal.Data.Reported;

/// <summary>What an import changed.</summary>
public sealed record ReportedImportSummary(string Paper, string Source, int Rows, int Added, int Updated, int Unchanged, int Removed)
{
    public static ReportedImportSummary operator +(ReportedImportSummary a, ReportedImportSummary b) =>
        new(a.Paper, a.Source == b.Source ? a.Source : "several files", a.Rows + b.Rows, a.Added + b.Added, a.Updated + b.Updated, a.Unchanged + b.Unchanged, a.Removed + b.Removed);
}

/// <summary>A paper whose tables the portal ships (Portal.Data/Reported/&lt;folder&gt;/table_*.csv, embedded).</summary>
public sealed record ReportedPaper(string Id, string Title, string Folder)
{
    public string Url => Id.StartsWith("arXiv:", StringComparison.Ordinal) ? $"https://arxiv.org/abs/{Id["arXiv:".Length..]}" : "";
}

/// <summary>
/// Writes reported results into the portal database, keyed by provenance (paper, table, row): the same rows again change
/// nothing, a changed row is updated in place, rows a new version of the same file no longer has are removed.
/// </summary>
public static class ReportedImporter
{
    public static readonly ReportedPaper RobustClipMetrics = new("arXiv:2502.11725",
        "Adversarially Robust CLIP Models Can Induce Better (Robust) Perceptual Metrics", "arXiv-2502.11725");

    /// <summary>The papers shipped with the portal.</summary>
    public static readonly IReadOnlyList<ReportedPaper> Shipped = [RobustClipMetrics];

    private const string ResourcePrefix = "reported/";

    /// <summary>The shipped CSVs of a paper: (file name, stream), in table order.</summary>
    public static IEnumerable<(string Name, Func<Stream> Open)> ShippedFiles(ReportedPaper paper)
    {
        var asm = typeof(ReportedImporter).Assembly;
        var prefix = $"{ResourcePrefix}{paper.Folder}/";
        return asm.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".csv", StringComparison.Ordinal))
            .Select(n => (Name: n[prefix.Length..], Open: (Func<Stream>)(() => asm.GetManifestResourceStream(n)!)))
            .OrderBy(x => ReportedCsv.TableOrder(x.Name.Replace("table_", "").Replace(".csv", ""))).ThenBy(x => x.Name, StringComparer.Ordinal);
    }

    /// <summary>The README shipped next to a paper's CSVs (what each table measured, the contradictions), or null.</summary>
    public static string? ShippedReadme(ReportedPaper paper)
    {
        using var s = typeof(ReportedImporter).Assembly.GetManifestResourceStream($"{ResourcePrefix}{paper.Folder}/README.md");
        return s == null ? null : new StreamReader(s).ReadToEnd();
    }

    /// <summary>Imports every shipped table (idempotent; the web runs it at start-up).</summary>
    public static async Task<ReportedImportSummary> ImportShippedAsync(PortalDbContext db, CancellationToken ct = default)
    {
        ReportedImportSummary? total = null;
        foreach (var paper in Shipped)
            foreach (var (name, open) in ShippedFiles(paper))
            {
                List<ReportedCsvRow> rows;
                await using (var s = open()) rows = ReportedCsv.Read(s, name);
                var one = await ImportAsync(db, paper.Id, paper.Title, name, rows, ct);
                total = total == null ? one : total + one;
            }
        return total ?? new ReportedImportSummary("", "", 0, 0, 0, 0, 0);
    }

    public static async Task<ReportedImportSummary> ImportAsync(PortalDbContext db, string paper, string? title, string source, IReadOnlyList<ReportedCsvRow> rows, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(paper) || paper.Length > ReportedCsv.MaxFieldLength) throw new ArgumentException("the paper id must be 1 to 2000 characters", nameof(paper));
        var tables = rows.Select(r => r.Table).Distinct().ToList();
        // Thousands of rows: detect changes once, at the end, not on every Add.
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try { return await ImportCoreAsync(db, paper, title, source, rows, tables, ct); }
        finally { db.ChangeTracker.AutoDetectChangesEnabled = autoDetect; }
    }

    private static async Task<ReportedImportSummary> ImportCoreAsync(PortalDbContext db, string paper, string? title, string source, IReadOnlyList<ReportedCsvRow> rows,
        List<string> tables, CancellationToken ct)
    {
        var existing = await db.ReportedResults.Where(r => r.Paper == paper && tables.Contains(r.Table)).ToListAsync(ct);
        var byKey = existing.ToDictionary(r => (r.Table, r.Row));
        var now = DateTime.UtcNow;
        int added = 0, updated = 0, unchanged = 0;
        var seen = new HashSet<(string, int)>();
        foreach (var r in rows)
        {
            seen.Add((r.Table, r.Row));
            if (!byKey.TryGetValue((r.Table, r.Row), out var rec))
            {
                rec = new ReportedResultRecord
                {
                    Paper = paper, Table = r.Table, Row = r.Row, Method = "", Encoder = "", Training = "", Benchmark = "", Split = "", Metric = "", Threat = "",
                    ValueText = "", Source = source,
                };
                Copy(rec, r, title, source, now);
                db.ReportedResults.Add(rec);
                added++;
            }
            else if (Same(rec, r, title, source)) unchanged++;
            else { Copy(rec, r, title, source, now); updated++; }
        }
        // Rows this file held before and no longer has (a table that shrank) go; other files' rows of the same table stay.
        var gone = existing.Where(e => e.Source == source && !seen.Contains((e.Table, e.Row))).ToList();
        db.ReportedResults.RemoveRange(gone);
        db.ChangeTracker.DetectChanges();
        if (added + updated + gone.Count > 0) await db.SaveChangesAsync(ct);
        return new ReportedImportSummary(paper, source, rows.Count, added, updated, unchanged, gone.Count);
    }

    private static bool Same(ReportedResultRecord e, ReportedCsvRow r, string? title, string source) =>
        e.Method == r.Method && e.Encoder == r.Encoder && e.Training == r.Training && e.Benchmark == r.Benchmark && e.Split == r.Split
        && e.Metric == r.Metric && e.Threat == r.Threat && e.Eps == r.Eps && e.ValueText == r.ValueText && e.Value == r.Value
        && e.Reference == r.Reference && e.Note == r.Note && e.Source == source && (title == null || e.PaperTitle == title);

    private static void Copy(ReportedResultRecord e, ReportedCsvRow r, string? title, string source, DateTime now)
    {
        e.Method = r.Method; e.Encoder = r.Encoder; e.Training = r.Training; e.Benchmark = r.Benchmark; e.Split = r.Split; e.Metric = r.Metric;
        e.Threat = r.Threat; e.Eps = r.Eps; e.ValueText = r.ValueText; e.Value = r.Value; e.Reference = r.Reference; e.Note = r.Note;
        e.Source = source; e.ImportedAt = now;
        if (title != null) e.PaperTitle = title;
    }
}
