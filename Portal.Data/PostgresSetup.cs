using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>PostgreSQL for the scaled mode; its migrations live in Portal.Data.Postgres (one set per provider).</summary>
public static class PostgresSetup
{
    public const string MigrationsAssembly = "Portal.Data.Postgres";

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, o => o.MigrationsAssembly(MigrationsAssembly));

    public static void Migrate(PortalDbContext db)
    {
        SquashedMigrations.Adopt(db, SquashedMigrations.Postgres);
        db.Database.Migrate();
    }
}
