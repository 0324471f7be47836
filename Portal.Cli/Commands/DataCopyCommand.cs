using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal data copy --to-postgres CONNECTION [--data-root DIR]`: moves an embedded portal (SQLite in its data folder)
/// to PostgreSQL — every encoder, benchmark, job, result, item, account and token, ids kept — and, with --data-root, its
/// checkpoints, datasets and artifacts to a new storage root (paths in the records follow). Stop the portal first.
/// </summary>
public sealed class DataCopyCommand : ICommand
{
    public string[] Path => ["data", "copy"];
    public string Summary => "copy the embedded SQLite portal (records and files) into an empty PostgreSQL database";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public async Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var target = args.Required("to-postgres");
        var newRoot = args.Get("data-root") is { } r ? System.IO.Path.GetFullPath(r) : null;
        args.EnsureAllUsed();
        var (options, paths, _) = PortalSettings.Load();
        if (!File.Exists(paths.Database)) throw new CliException($"no portal database at {paths.Database} (set Portal__DataRoot to the embedded portal's data folder)");

        var from = new DbContextOptionsBuilder<PortalDbContext>();
        SqliteSetup.Configure(from, paths.Database);
        var to = new DbContextOptionsBuilder<PortalDbContext>();
        PostgresSetup.Configure(to, target);
        await using var source = new PortalDbContext(from.Options);
        await using var dest = new PortalDbContext(to.Options);
        await dest.Database.MigrateAsync(ct);

        var oldRoot = paths.Root;
        Func<object, object>? rewrite = null;
        if (newRoot != null && !string.Equals(newRoot, oldRoot, StringComparison.Ordinal))
        {
            foreach (var sub in new[] { "checkpoints", "datasets", "artifacts" })
                CopyTree(System.IO.Path.Combine(oldRoot, sub), System.IO.Path.Combine(newRoot, sub));
            string? Move(string? p) => p != null && (p == oldRoot || p.StartsWith(oldRoot + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
                ? newRoot + p[oldRoot.Length..] : p;
            rewrite = e =>
            {
                switch (e)
                {
                    case Portal.Data.Entities.EncoderRecord enc: enc.StoragePath = Move(enc.StoragePath); enc.MlpHeadPath = Move(enc.MlpHeadPath); enc.LoraPath = Move(enc.LoraPath); break;
                    case Portal.Data.Entities.DatasetRecord b: b.DatasetRoot = Move(b.DatasetRoot)!; break;
                }
                return e;
            };
        }
        var report = await DatabaseCopy.CopyAsync(source, dest, rewrite, new Progress<string>(l => Console.Error.WriteLine(l)), ct);
        JsonOut.Write(new { from = paths.Database, to_data_root = newRoot ?? oldRoot, rows = report.Rows });
        return 0;
    }

    private static void CopyTree(string from, string to)
    {
        if (!Directory.Exists(from)) return;
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, file)), overwrite: false);
    }
}
