using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.Support;

namespace Portal.Tests.Data;

/// <summary>
/// Issue 18 (item 4): a result row names its metric. Rows stored before the column existed get it from their
/// benchmark's task by the migration's SQL (<c>Portal.Data/Migrations/ResultMetricBackfill.cs</c>); it must say what
/// <see cref="ResultMetrics.For"/> says, on both providers.
/// </summary>
public sealed class ResultMetricBackfillTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private static readonly (TaskKind Kind, string Splits)[] Benchmarks =
    [
        (TaskKind.TwoAfc, "test_imagenet,test_no_imagenet"), (TaskKind.Retrieval, "medium,hard"), (TaskKind.Retrieval, ""),
        (TaskKind.Retrieval, "  "), (TaskKind.Detection, "safe,buffer,unsafe"), (TaskKind.FeatureInversion, ""),
        (TaskKind.TextInversion, ""), (TaskKind.Fare, ""),
    ];

    /// <summary>One result per benchmark kind, stored with an empty metric as the rows before the column were.</summary>
    private static void SeedUnnamed(PortalDbContext db)
    {
        var encoder = new EncoderRecord { DisplayName = "e", Status = EncoderStatus.Ready, CreatedAt = DateTime.UtcNow, Sha256 = "abc" };
        db.Encoders.Add(encoder);
        var benches = Benchmarks.Select((b, i) => TaskKindTests.DatasetOf(b.Kind, $"b{i}", b.Splits)).ToList();
        db.Datasets.AddRange(benches);
        db.SaveChanges();
        for (int i = 0; i < benches.Count; i++)
            db.Results.Add(new ResultRecord
            {
                Metric = "", JobId = 100 + i, EncoderId = encoder.Id, DatasetId = benches[i].Id, EncoderSha256 = "abc", DatasetVersion = benches[i].VersionHash, ConfigKey = "none",
                N = 1, CleanValue = 0.5, FullJson = "{}", EngineVersion = "t", Device = "cpu", CreatedAt = DateTime.UtcNow,
            });
        db.SaveChanges();
    }

    /// <summary>The real upgrade: rows stored, the schema taken back to before the column (its Down), then up again.</summary>
    private static void AssertBackfillMatchesTheMapping(PortalDbContext db)
    {
        SeedUnnamed(db);
        var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db);
        var all = db.Database.GetMigrations().ToList();
        migrator.Migrate(all[all.FindIndex(m => m.EndsWith("_ResultMetricNamed", StringComparison.Ordinal)) - 1]);
        migrator.Migrate(all[^1]);
        db.ChangeTracker.Clear();
        var rows = db.Results.AsNoTracking().Include(r => r.Dataset).ToList();
        Assert.Equal(Benchmarks.Length, rows.Count);
        Assert.All(rows, r => Assert.Equal(ResultMetrics.For(r.Dataset!), r.Metric));
        Assert.Equal(ResultMetrics.All.Order(), rows.Select(r => r.Metric).Distinct().Order());   // every metric covered
    }

    [Fact]
    public void Sqlite_backfill_names_each_metric_as_the_mapping_does()
    {
        var o = new DbContextOptionsBuilder<PortalDbContext>();
        SqliteSetup.Configure(o, Path.Combine(_dir.Path, "metric.db"));
        using var db = new PortalDbContext(o.Options);
        SqliteSetup.Migrate(db);
        AssertBackfillMatchesTheMapping(db);
    }

    [PostgresFact]
    public void Postgres_backfill_names_each_metric_as_the_mapping_does()
    {
        using var pg = new TestDatabase();
        var o = new DbContextOptionsBuilder<PortalDbContext>();
        PostgresSetup.Configure(o, pg.ConnectionString);
        using var db = new PortalDbContext(o.Options);
        PostgresSetup.Migrate(db);
        AssertBackfillMatchesTheMapping(db);
    }

    public void Dispose() => _dir.Dispose();
}
