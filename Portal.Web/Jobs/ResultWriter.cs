using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Tasks;

namespace Portal.Web.Jobs;

/// <summary>Stores the engine's result as typed columns + split rows + the full JSON, exactly once per (checkpoint, benchmark version, config).</summary>
public static class ResultWriter
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Returns the id of the stored result; if an identical one exists already (a race between identical jobs), that one.</summary>
    public static int Save(PortalDbContext db, JobRecord job, EncoderRecord encoder, BenchmarkRecord bench, TwoAfcResult r)
    {
        var existing = db.Results.AsNoTracking().FirstOrDefault(x => x.EncoderSha256 == encoder.Sha256 && x.BenchmarkVersion == bench.VersionHash && x.ConfigKey == job.ConfigKey)
            ?? db.Results.AsNoTracking().FirstOrDefault(x => x.JobId == job.Id);
        if (existing != null) return existing.Id;
        var record = new ResultRecord
        {
            JobId = job.Id, EncoderId = encoder.Id, BenchmarkId = bench.Id, EncoderSha256 = encoder.Sha256!, BenchmarkVersion = bench.VersionHash,
            ConfigKey = job.ConfigKey, Config = job.Config.Clone(), N = r.N, CleanAccuracy = r.CleanAccuracy, RobustAccuracy = r.RobustAccuracy,
            SkippedItems = r.SkippedItems, SanityPassed = r.Sanity.All(s => s.Passed), SanityJson = JsonSerializer.Serialize(r.Sanity, Json),
            Splits = r.Splits.Select(kv => new ResultSplit { Name = kv.Key, N = kv.Value.N, CleanAccuracy = kv.Value.CleanAccuracy, RobustAccuracy = kv.Value.RobustAccuracy, LpipsScore = kv.Value.LpipsScore }).ToList(),
            FullJson = JsonSerializer.Serialize(r, Json), EngineVersion = r.EngineVersion, Device = r.Device, WallSeconds = r.WallSeconds, CreatedAt = DateTime.UtcNow,
        };
        db.Results.Add(record);
        db.SaveChanges();
        return record.Id;
    }
}
