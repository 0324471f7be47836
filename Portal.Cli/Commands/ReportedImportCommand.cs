using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Reported;
using Portal.Web.Configuration;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal reported import FILE.csv... [--paper ID] [--title T] [--dry-run] [--data-root DIR]`, or `--shipped`: reads CSVs in
/// the reported-results format (docs/portal.md) and inserts or updates their rows by (paper, table, row) in the
/// portal database. Every file is read and checked before anything is written; a bad line is named with its column.
/// </summary>
public sealed partial class ReportedImportCommand : ICommand
{
    public string[] Path => ["reported", "import"];
    public string Summary => "import a paper's table(s) as reported results (CSV: table,method,encoder,...,value,reference,note)";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "dry-run", "shipped" };

    [GeneratedRegex(@"^arXiv-(\d{4}\.\d{4,5})$")] private static partial Regex ArxivFolder();

    public async Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var shipped = args.Flag("shipped");
        var files = args.Positionals.ToList();
        if (files.Count == 0 && !shipped) throw new CliException("usage: portal reported import FILE.csv [FILE.csv...] [--paper ID] [--title T] [--dry-run] [--data-root DIR] | --shipped");
        if (files.Count > 0 && shipped) throw new CliException("give CSV files or --shipped, not both");
        var paper = args.Get("paper")?.Trim();
        var title = args.Get("title")?.Trim();
        var dryRun = args.Flag("dry-run");
        var dataRoot = args.Get("data-root");
        args.EnsureAllUsed();
        if (paper is { Length: 0 or > ReportedCsv.MaxFieldLength }) throw new CliException("--paper must be 1 to 2000 characters");

        // Read and check everything first: a bad file leaves the database as it was.
        var parsed = new List<(string File, string Paper, List<ReportedCsvRow> Rows)>();
        foreach (var f in files)
        {
            var full = System.IO.Path.GetFullPath(f);
            var p = paper ?? (ArxivFolder().Match(new DirectoryInfo(System.IO.Path.GetDirectoryName(full)!).Name) is { Success: true } m ? "arXiv:" + m.Groups[1].Value
                : throw new CliException($"give --paper (e.g. --paper arXiv:2502.11725) for {f}: its folder does not name the paper"));
            try { parsed.Add((System.IO.Path.GetFileName(full), p, ReportedCsv.Read(full))); }
            catch (ReportedCsvException e) { throw new CliException(e.Message); }
        }

        if (dataRoot != null) Environment.SetEnvironmentVariable("Portal__DataRoot", System.IO.Path.GetFullPath(dataRoot));
        if (dryRun)
        {
            JsonOut.Write(new { dry_run = true, files = parsed.Select(x => new { file = x.File, paper = x.Paper, rows = x.Rows.Count, tables = x.Rows.GroupBy(r => r.Table).ToDictionary(g => g.Key, g => g.Count()) }) });
            return 0;
        }
        var (options, paths, _) = PortalSettings.Load();
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        PortalDatabase.Configure(builder, options, paths);
        await using var db = new PortalDbContext(builder.Options);
        PortalDatabase.Migrate(db, options);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var results = new List<ReportedImportSummary>();
        if (shipped) results.Add(await ReportedImporter.ImportShippedAsync(db, ct));
        foreach (var (file, p, rows) in parsed) results.Add(await ReportedImporter.ImportAsync(db, p, title, file, rows, ct));
        JsonOut.Write(new
        {
            imported = results.Select(s => new { paper = s.Paper, file = s.Source, rows = s.Rows, added = s.Added, updated = s.Updated, unchanged = s.Unchanged, removed = s.Removed }),
            elapsed_ms = watch.ElapsedMilliseconds,
        });
        return 0;
    }
}
