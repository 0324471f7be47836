using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

public static class SqliteSetup
{
    /// <summary>Connection string for the portal database file; a generous busy timeout lets the worker and web writers interleave.</summary>
    public static string ConnectionString(string dbPath) => new SqliteConnectionStringBuilder
    {
        DataSource = dbPath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        DefaultTimeout = 30,
        Pooling = true,
    }.ToString();

    public static void Configure(DbContextOptionsBuilder options, string dbPath) =>
        options.UseSqlite(ConnectionString(dbPath));

    /// <summary>Applies pending migrations and switches the file to WAL (persistent: readers no longer block the writer).</summary>
    public static void Migrate(PortalDbContext db)
    {
        SquashedMigrations.Adopt(db, SquashedMigrations.Sqlite);
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        db.Database.ExecuteSqlRaw("PRAGMA synchronous=NORMAL;");
    }

    /// <summary>
    /// SQLite's own consistency check (PRAGMA quick_check): "ok", or the problems it found. Run at start-up, because a
    /// crash with a damaged WAL can otherwise leave the portal running silently without committed rows.
    /// </summary>
    public static IReadOnlyList<string> QuickCheck(string dbPath)
    {
        using var c = new SqliteConnection(ConnectionString(dbPath));
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA quick_check;";
        var lines = new List<string>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) lines.Add(r.GetString(0));
        return lines;
    }

    /// <summary>An online backup (SQLite's backup API: consistent while the portal keeps writing) to <paramref name="target"/>.</summary>
    public static void Backup(string dbPath, string target)
    {
        if (File.Exists(target)) throw new IOException($"{target} exists; choose a new file for the backup");
        using var source = new SqliteConnection(ConnectionString(dbPath));
        using var dest = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        source.Open();
        dest.Open();
        source.BackupDatabase(dest);
    }
}
