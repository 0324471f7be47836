using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Web.Configuration;

/// <summary>The portal's tables: SQLite in the data folder (embedded default) or the shared PostgreSQL database (scaled).</summary>
public static class PortalDatabase
{
    public static void Configure(DbContextOptionsBuilder builder, PortalOptions options, DataPaths paths)
    {
        if (Dispatch.HangfireStorage.IsPostgres(options))
            PostgresSetup.Configure(builder, options.Database.ConnectionString
                ?? throw new InvalidOperationException("Portal:Database:Provider is postgres but Portal:Database:ConnectionString is empty"));
        else SqliteSetup.Configure(builder, paths.Database);
    }

    /// <summary>Applies pending migrations (EF serialises concurrent callers); SQLite is switched to WAL.</summary>
    public static void Migrate(PortalDbContext db, PortalOptions options)
    {
        if (Dispatch.HangfireStorage.IsPostgres(options)) PostgresSetup.Migrate(db);
        else SqliteSetup.Migrate(db);
    }

    /// <summary>
    /// SQLite's quick_check before anything is served (PostgreSQL checks itself): what is wrong with the database file,
    /// logged loudly, or null. The web shows it on /api/health.
    /// </summary>
    public static string? Check(PortalOptions options, DataPaths paths, ILogger log)
    {
        if (Dispatch.HangfireStorage.IsPostgres(options) || !File.Exists(paths.Database)) return null;
        var lines = SqliteSetup.QuickCheck(paths.Database);
        if (lines is ["ok"]) return null;
        var problem = $"{paths.Database} failed SQLite's integrity check: {string.Join("; ", lines.Take(10))}";
        log.LogCritical("THE PORTAL DATABASE IS DAMAGED: {Problem}. Stop the portal and restore the latest backup (docs/security.md, \"Backups\").", problem);
        return problem;
    }
}
