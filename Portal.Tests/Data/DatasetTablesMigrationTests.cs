using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.Support;

namespace Portal.Tests.Data;

/// <summary>
/// Issue 18 (item 4): benchmarks, inversion galleries and FARE image sets each have their own table. The migration
/// (<c>Portal.Data/Migrations/DatasetTablesMove.cs</c>) moves stored rows of the one old table into them with ids,
/// links and every value kept, on both providers, and its Down puts them back as they were stored.
/// </summary>
public sealed class DatasetTablesMigrationTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private static readonly (TaskKind Kind, string Splits)[] Kinds =
    [
        (TaskKind.TwoAfc, "test_imagenet,test_no_imagenet"), (TaskKind.Retrieval, "easy,medium,hard"), (TaskKind.Detection, "safe,buffer,unsafe"),
        (TaskKind.FeatureInversion, ""), (TaskKind.TextInversion, ""), (TaskKind.Fare, ""),
    ];

    private static void Seed(PortalDbContext db)
    {
        var encoder = new EncoderRecord { DisplayName = "e", Status = EncoderStatus.Ready, CreatedAt = DateTime.UtcNow, Sha256 = "abc" };
        db.Encoders.Add(encoder);
        var datasets = Kinds.Select((k, i) => TaskKindTests.DatasetOf(k.Kind, $"d{i}", k.Splits)).ToList();
        db.Datasets.AddRange(datasets);
        db.SaveChanges();
        foreach (var d in datasets)
        {
            var job = new JobRecord { EncoderId = encoder.Id, DatasetId = d.Id, ConfigKey = "none", Status = JobStatus.Succeeded, CreatedAt = DateTime.UtcNow };
            db.Jobs.Add(job);
            db.SaveChanges();
            db.Results.Add(new ResultRecord
            {
                Metric = ResultMetrics.For(d), JobId = job.Id, EncoderId = encoder.Id, DatasetId = d.Id, EncoderSha256 = "abc", DatasetVersion = d.VersionHash,
                ConfigKey = "none", N = 1, FullJson = "{}", EngineVersion = "t", Device = "cpu", CreatedAt = DateTime.UtcNow,
            });
        }
        db.SaveChanges();
        db.ChangeTracker.Clear();
    }

    private static void Check(PortalDbContext db)
    {
        Seed(db);
        var before = db.Datasets.AsNoTracking().OrderBy(d => d.Name).Select(d => new { d.Id, d.Name }).ToList();
        var migrator = db.GetService<IMigrator>();
        var all = db.Database.GetMigrations().ToList();
        migrator.Migrate(all[all.FindIndex(m => m.EndsWith("_DatasetTables", StringComparison.Ordinal)) - 1]);

        // Down: one table again, each row with the layout columns it had when galleries and image sets were benchmark rows.
        var old = db.Database.SqlQueryRaw<string>("""SELECT "Name" || ':' || "TaskKind" || ':' || "Format" || ':' || "Split" || ':' || "Splits" AS "Value" FROM "benchmarks" ORDER BY "Name" """).ToList();
        Assert.Equal(
        [
            "d0:2afc:f:s:test_imagenet,test_no_imagenet", "d1:retrieval:f:s:easy,medium,hard", "d2:detection:f:s:safe,buffer,unsafe",
            "d3:feature-inversion:gallery:all:", "d4:text-inversion:gallery:all:", "d5:fare:images:train:",
        ], old);
        Assert.Equal(6, db.Database.SqlQueryRaw<int>("""SELECT COUNT(*) AS "Value" FROM "jobs" j JOIN "benchmarks" b ON b."Id" = j."BenchmarkId" """).Single());

        migrator.Migrate(all[^1]);
        db.ChangeTracker.Clear();
        var rows = db.Datasets.AsNoTracking().OrderBy(d => d.Name).ToList();
        Assert.Equal(before.Select(b => (b.Id, b.Name)), rows.Select(r => (r.Id, r.Name)));
        Assert.Equal([typeof(BenchmarkRecord), typeof(BenchmarkRecord), typeof(BenchmarkRecord), typeof(GalleryRecord), typeof(GalleryRecord), typeof(TrainingImageSetRecord)],
            rows.Select(r => r.GetType()));
        Assert.All(rows, r => Assert.True(r.Allows(r.TaskKind)));
        Assert.Equal(Kinds.Take(3).Select(k => k.Splits), db.Benchmarks.AsNoTracking().OrderBy(b => b.Name).Select(b => b.Splits));
        Assert.Equal(3, db.Set<BenchmarkRecord>().Count(b => b.Format == "f" && b.Split == "s"));
        Assert.Equal(2, db.Galleries.Count());
        Assert.Equal("d5", db.TrainingImageSets.Single().Name);
        var results = db.Results.AsNoTracking().Include(r => r.Dataset).OrderBy(r => r.Dataset!.Name).ToList();
        Assert.All(results, r => Assert.Equal(r.Dataset!.VersionHash, r.DatasetVersion));
        Assert.Equal(rows.Select(r => r.GetType()), results.Select(r => r.Dataset!.GetType()));
        Assert.Equal(6, db.Jobs.Count(j => j.Dataset != null));

        // The id sequence goes on after the moved rows, and a name stays unique across the three tables.
        var next = new GalleryRecord { Name = "new", TaskKind = TaskKind.FeatureInversion, DatasetRoot = "/g", VersionHash = "v", CreatedAt = DateTime.UtcNow };
        db.Galleries.Add(next);
        db.SaveChanges();
        Assert.True(next.Id > rows.Max(r => r.Id));
        db.TrainingImageSets.Add(new TrainingImageSetRecord { Name = "d0", TaskKind = TaskKind.Fare, DatasetRoot = "/i", VersionHash = "v", CreatedAt = DateTime.UtcNow });
        Assert.Throws<DbUpdateException>(() => db.SaveChanges());
    }

    [Fact]
    public void Sqlite_moves_every_kind_into_its_table_and_back()
    {
        using var db = Sqlite("move.db");
        Check(db);
    }

    [PostgresFact]
    public void Postgres_moves_every_kind_into_its_table_and_back()
    {
        using var pg = new TestDatabase();
        var o = new DbContextOptionsBuilder<PortalDbContext>();
        PostgresSetup.Configure(o, pg.ConnectionString);
        using var db = new PortalDbContext(o.Options);
        PostgresSetup.Migrate(db);
        Check(db);
    }

    [Fact]
    public void A_record_refuses_a_kind_its_table_does_not_hold()
    {
        using var db = Sqlite("kinds.db");
        db.Galleries.Add(new GalleryRecord { Name = "g", TaskKind = TaskKind.TwoAfc, DatasetRoot = "/g", VersionHash = "v" });
        var e = Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
        Assert.Equal("a GalleryRecord cannot have task kind '2afc' (g)", e.Message);
        db.ChangeTracker.Clear();
        db.Benchmarks.Add(new BenchmarkRecord { Name = "b", TaskKind = TaskKind.Fare, Format = "f", DatasetRoot = "/b", Split = "s", VersionHash = "v" });
        Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
        Assert.Equal(0, db.Datasets.Count());
    }

    [Fact]
    public async Task A_name_is_found_in_its_own_kind_and_refused_when_another_kind_holds_it()
    {
        using var db = Sqlite("names.db");
        db.Galleries.Add(new GalleryRecord { Name = "shared", TaskKind = TaskKind.FeatureInversion, DatasetRoot = "/g", VersionHash = "v" });
        db.SaveChanges();
        Assert.Equal("/g", (await db.FindNamedAsync<GalleryRecord>("shared", CancellationToken.None))!.DatasetRoot);
        Assert.Null(await db.FindNamedAsync<BenchmarkRecord>("free", CancellationToken.None));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => db.FindNamedAsync<BenchmarkRecord>("shared", CancellationToken.None));
        Assert.Equal("'shared' is already the name of a feature-inversion gallery; choose another name", e.Message);
    }

    private PortalDbContext Sqlite(string file)
    {
        var o = new DbContextOptionsBuilder<PortalDbContext>();
        SqliteSetup.Configure(o, Path.Combine(_dir.Path, file));
        var db = new PortalDbContext(o.Options);
        SqliteSetup.Migrate(db);
        return db;
    }

    public void Dispose() => _dir.Dispose();
}
