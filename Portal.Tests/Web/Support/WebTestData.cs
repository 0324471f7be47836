using Portal.Data.Entities;

namespace Portal.Tests.Web.Support;

/// <summary>In-memory records for component and leaderboard tests (no database: the builder and components take records).</summary>
internal static class WebTestData
{
    public static readonly DateTime When = new(2026, 11, 20, 9, 30, 0, DateTimeKind.Utc);

    public static BenchmarkRecord Bench(int id = 1, string name = "NIGHTS test") => new()
    {
        Id = id, Name = name, TaskKind = TaskKind.TwoAfc, Format = "nights", DatasetRoot = "/data/nights", Split = "test",
        Splits = "test_imagenet,test_no_imagenet", ItemCount = 100, VersionHash = $"v{id}",
    };

    public static EncoderRecord Encoder(int id, string name, string? family = "CLIP", string? backbone = "ViT-B/32", string? description = null) => new()
    {
        Id = id, DisplayName = name, Family = family, Backbone = backbone, Description = description, Architecture = "openclip-vit",
        Sha256 = new string((char)('a' + id % 6), 64), SizeBytes = 1 << 20, Status = EncoderStatus.Ready, CreatedAt = When,
    };

    private static int _nextId = 1000;

    public static ResultRecord Result(EncoderRecord e, BenchmarkRecord b, JobConfig config, double clean, double? robust, (double Clean, double? Robust)[]? splits = null) => new()
    {
        Id = Interlocked.Increment(ref _nextId), JobId = _nextId, EncoderId = e.Id, Encoder = e, DatasetId = b.Id, Dataset = b,
        Metric = ResultMetrics.For(b), EncoderSha256 = e.Sha256!, DatasetVersion = b.VersionHash, ConfigKey = config.Key, Config = config, N = 100,
        CleanValue = clean, RobustValue = robust, SanityPassed = true, FullJson = "{}", EngineVersion = "0.1.0+test", Device = "cpu",
        WallSeconds = 12.5, CreatedAt = When,
        Splits = splits == null ? [] :
        [
            new ResultSplit { Name = "test_imagenet", N = 50, CleanValue = splits[0].Clean, RobustValue = splits[0].Robust },
            new ResultSplit { Name = "test_no_imagenet", N = 50, CleanValue = splits[1].Clean, RobustValue = splits[1].Robust },
        ],
    };

    public static JobConfig Clean(int? limit = null) => new() { Attack = "none", Limit = limit };
    public static JobConfig Linf(double eps = 4.0 / 255, int iterations = 100, int? limit = null) => new() { Attack = "apgd", Norm = "linf", Eps = eps, Iterations = iterations, Restarts = 1, Limit = limit };
    public static JobConfig L2(double eps = 3, int iterations = 100) => new() { Attack = "apgd", Norm = "l2", Eps = eps, Iterations = iterations, Restarts = 1 };
}
