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
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        db.Database.ExecuteSqlRaw("PRAGMA synchronous=NORMAL;");
    }
}
