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
}
