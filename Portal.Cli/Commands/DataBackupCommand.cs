using Portal.Data;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal data backup --to FILE`: an online backup of the embedded portal database (SQLite's backup API, consistent
/// while the portal runs), checked with quick_check before it is reported. A PostgreSQL portal is backed up with pg_dump.
/// </summary>
public sealed class DataBackupCommand : ICommand
{
    public string[] Path => ["data", "backup"];
    public string Summary => "copy the embedded SQLite database to a new file while the portal runs (PostgreSQL: use pg_dump)";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var target = System.IO.Path.GetFullPath(args.Required("to"));
        args.EnsureAllUsed();
        var (options, paths, _) = PortalSettings.Load();
        if (options.Database.Provider == "postgres")
            throw new CliException("this portal keeps its records in PostgreSQL: back it up with pg_dump (docs/security.md, \"Backups\")");
        if (!File.Exists(paths.Database)) throw new CliException($"no portal database at {paths.Database} (set Portal__DataRoot to the portal's data folder)");
        SqliteSetup.Backup(paths.Database, target);
        var check = SqliteSetup.QuickCheck(target);
        if (check is not ["ok"]) throw new CliException($"the backup at {target} fails quick_check: {string.Join("; ", check)}");
        Console.WriteLine($"backed up {paths.Database} to {target} ({new FileInfo(target).Length} bytes, quick_check ok)");
        return Task.FromResult(0);
    }
}
