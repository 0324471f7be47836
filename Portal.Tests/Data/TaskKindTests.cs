using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.Support;

namespace Portal.Tests.Data;

/// <summary>
/// Issue 18 (item 2): the task kind is a type. Its stored, sent and hashed form stays the key the schema and the API
/// always had, so no version hash, fingerprint, API answer or stored row changes.
/// </summary>
public sealed class TaskKindTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    public static TheoryData<TaskKind, string> Keys => new()
    {
        { TaskKind.TwoAfc, "2afc" }, { TaskKind.Retrieval, "retrieval" }, { TaskKind.Detection, "detection" }, { TaskKind.Fare, "fare" },
        { TaskKind.FeatureInversion, "feature-inversion" }, { TaskKind.TextInversion, "text-inversion" },
    };

    [Theory, MemberData(nameof(Keys))]
    public void A_kind_reads_and_writes_as_its_key(TaskKind kind, string key)
    {
        Assert.Equal(key, kind.Key());
        Assert.Equal(kind, TaskKinds.Parse(key));
        Assert.Equal($"\"{key}\"", JsonSerializer.Serialize(kind));
        Assert.Equal(kind, JsonSerializer.Deserialize<TaskKind>($"\"{key}\""));
    }

    [Fact]
    public void Every_kind_has_a_key_and_an_unknown_key_is_refused_with_the_known_ones()
    {
        Assert.Equal(Enum.GetValues<TaskKind>().Length, TaskKinds.All.Select(k => k.Key()).Distinct().Count());
        var e = Assert.Throws<ArgumentException>(() => TaskKinds.Parse("2AFC"));   // keys are exact, as the column always was
        Assert.Contains("2afc, retrieval, detection, fare, feature-inversion, text-inversion", e.Message);
        Assert.False(TaskKinds.TryParse(null, out _));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TaskKind>("\"TwoAfc\""));   // the C# name is not a key
    }

    [Fact]
    public void The_column_holds_the_key_and_queries_filter_on_it()
    {
        var o = new DbContextOptionsBuilder<PortalDbContext>();
        SqliteSetup.Configure(o, Path.Combine(_dir.Path, "kinds.db"));
        using var db = new PortalDbContext(o.Options);
        SqliteSetup.Migrate(db);
        foreach (var (kind, i) in TaskKinds.All.Select((k, i) => (k, i)))
            db.Datasets.Add(DatasetOf(kind, $"b{i}"));
        db.SaveChanges();
        var stored = db.Database.SqlQueryRaw<string>("""SELECT "TaskKind" AS "Value" FROM "datasets" ORDER BY "Name" """).ToList();
        Assert.Equal(TaskKinds.All.Select(k => k.Key()), stored);
        TaskKind[] galleries = [TaskKind.FeatureInversion, TaskKind.TextInversion];
        Assert.Equal(2, db.Datasets.Count(b => galleries.Contains(b.TaskKind)));   // an IN over the converted column
        Assert.Equal("b3", db.Datasets.Single(b => b.TaskKind == TaskKind.Fare).Name);
    }

    /// <summary>A record of the type that holds the kind (each kind lives in one table).</summary>
    internal static DatasetRecord DatasetOf(TaskKind kind, string name, string splits = "") => kind switch
    {
        TaskKind.Fare => new TrainingImageSetRecord { Name = name, TaskKind = kind, DatasetRoot = "/d", VersionHash = "v" + name, CreatedAt = DateTime.UtcNow },
        _ when kind.IsGallery() => new GalleryRecord { Name = name, TaskKind = kind, DatasetRoot = "/d", VersionHash = "v" + name, CreatedAt = DateTime.UtcNow },
        _ => new BenchmarkRecord { Name = name, TaskKind = kind, Format = "f", DatasetRoot = "/d", Split = "s", Splits = splits, VersionHash = "v" + name, CreatedAt = DateTime.UtcNow },
    };

    public void Dispose() => _dir.Dispose();
}
