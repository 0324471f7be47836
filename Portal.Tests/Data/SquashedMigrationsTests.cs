using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.Support;

namespace Portal.Tests.Data;

/// <summary>
/// Issue 18 (item 4): one initial migration per provider. A database the old chain completed is adopted (history
/// rewritten, rows kept); one that stopped part-way is refused with the way out and left exactly as it was.
/// </summary>
public sealed class SquashedMigrationsTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private PortalDbContext Sqlite(string name)
    {
        var o = new DbContextOptionsBuilder<PortalDbContext>();
        SqliteSetup.Configure(o, Path.Combine(_dir.Path, name));
        return new PortalDbContext(o.Options);
    }

    private static PortalDbContext Postgres(string connection)
    {
        var o = new DbContextOptionsBuilder<PortalDbContext>();
        PostgresSetup.Configure(o, connection);
        return new PortalDbContext(o.Options);
    }

    /// <summary>Makes a database look as if the old chain built it: the same schema, the old chain's history rows.</summary>
    private static void PretendOldChain(PortalDbContext db, IEnumerable<string> ids)
    {
        var history = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IHistoryRepository>(db);
        foreach (var id in db.Database.GetAppliedMigrations().ToList()) db.Database.ExecuteSqlRaw(history.GetDeleteScript(id));
        foreach (var id in ids) db.Database.ExecuteSqlRaw(history.GetInsertScript(new Microsoft.EntityFrameworkCore.Migrations.HistoryRow(id, "10.0.15")));
    }

    /// <summary>The schema the squash produced (what an adopted old-chain database has): the initial migration alone.</summary>
    private static void MigrateToInitial(PortalDbContext db) =>
        Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db).Migrate(db.Database.GetMigrations().First());

    private static void Seed(PortalDbContext db)
    {
        db.Encoders.Add(new EncoderRecord { DisplayName = "kept", Status = EncoderStatus.Ready, CreatedAt = DateTime.UtcNow, TrainingData = "zero-shot" });
        db.SaveChanges();
    }

    [Fact]
    public void Each_provider_starts_from_one_initial_migration_and_both_chains_match()
    {
        static List<string> Names(PortalDbContext db) => db.Database.GetMigrations().Select(m => m[(m.IndexOf('_') + 1)..]).ToList();
        using var db = Sqlite("one.db");
        using var pg = Postgres("Host=127.0.0.1;Database=none");
        Assert.Equal("InitialSchema", Names(db)[0]);
        Assert.Single(Names(db), "InitialSchema");
        Assert.Equal(Names(db), Names(pg));   // every later schema change exists for both providers
    }

    [Fact]
    public void A_sqlite_database_the_old_chain_completed_is_adopted_with_its_rows()
    {
        using (var db = Sqlite("done.db"))
        {
            MigrateToInitial(db);
            Seed(db);
            PretendOldChain(db, SquashedMigrations.Sqlite);
        }
        using (var db = Sqlite("done.db"))
        {
            SqliteSetup.Migrate(db);   // adopts, then applies what came after the squash
            Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations());
            Assert.Equal("zero-shot", db.Encoders.Single(e => e.DisplayName == "kept").TrainingData);
            SqliteSetup.Migrate(db);   // and again: a no-op
            Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations());
        }
    }

    [Fact]
    public void A_sqlite_database_stopped_part_way_is_refused_and_left_unchanged()
    {
        var partial = SquashedMigrations.Sqlite.Take(5).ToList();
        using (var db = Sqlite("partial.db"))
        {
            SqliteSetup.Migrate(db);
            Seed(db);
            PretendOldChain(db, partial);
        }
        using (var db = Sqlite("partial.db"))
        {
            var e = Assert.Throws<InvalidOperationException>(() => SqliteSetup.Migrate(db));
            Assert.Contains($"stopped at migration '{partial[^1]}'", e.Message);
            Assert.Contains("left unchanged", e.Message);
            Assert.Equal(partial, db.Database.GetAppliedMigrations());
            Assert.Single(db.Encoders.ToList());
        }
    }

    [Fact]
    public void Unknown_history_is_refused()
    {
        using var db = Sqlite("foreign.db");
        SqliteSetup.Migrate(db);
        PretendOldChain(db, [SquashedMigrations.Sqlite[0], "20991231000000_FromTheFuture"]);
        var e = Assert.Throws<InvalidOperationException>(() => SqliteSetup.Migrate(db));
        Assert.Contains("FromTheFuture", e.Message);
    }

    [PostgresFact]
    public void A_postgres_database_the_old_chain_completed_is_adopted_with_its_rows()
    {
        using var pg = new TestDatabase();
        using (var db = Postgres(pg.ConnectionString))
        {
            MigrateToInitial(db);
            Seed(db);
            PretendOldChain(db, SquashedMigrations.Postgres);
        }
        using (var db = Postgres(pg.ConnectionString))
        {
            PostgresSetup.Migrate(db);
            Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations());
            Assert.Equal("zero-shot", db.Encoders.Single(e => e.DisplayName == "kept").TrainingData);
        }
        using (var db = Postgres(pg.ConnectionString))
        {
            PretendOldChain(db, SquashedMigrations.Postgres.Take(2));
            Assert.Throws<InvalidOperationException>(() => PostgresSetup.Migrate(db));
            Assert.Equal(SquashedMigrations.Postgres.Take(2), db.Database.GetAppliedMigrations());
        }
    }

    public void Dispose() => _dir.Dispose();
}
