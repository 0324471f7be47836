using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.TwoAfc;

namespace Portal.Worker.Execution;

/// <summary>Stores the engine's result as typed columns + split rows + the full JSON, exactly once per (checkpoint, benchmark version, config).</summary>
public static class ResultWriter
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>A 2AFC result as typed columns + split rows + full JSON; <see cref="Save"/> fills the keys.</summary>
    public static ResultRecord Draft(TwoAfcResult r) => new()
    {
        EncoderSha256 = "", DatasetVersion = "", ConfigKey = "",
        Metric = ResultMetrics.TwoAfcAccuracy, N = r.N, CleanValue = r.CleanAccuracy, RobustValue = r.RobustAccuracy,
        SkippedItems = r.SkippedItems, SanityPassed = r.Sanity.All(s => s.Passed), SanityJson = JsonSerializer.Serialize(r.Sanity, Json),
        Splits = r.Splits.Select(kv => new ResultSplit { Name = kv.Key, N = kv.Value.N, CleanValue = kv.Value.CleanAccuracy, RobustValue = kv.Value.RobustAccuracy, LpipsScore = kv.Value.LpipsScore }).ToList(),
        FullJson = JsonSerializer.Serialize(r, Json), EngineVersion = r.EngineVersion, Device = r.Device, WallSeconds = r.WallSeconds,
    };

    /// <summary>
    /// Stores a runner's result for the job and returns its id; if an identical one exists already (a race between
    /// identical jobs, or a retried save), that one.
    /// </summary>
    public static int Save(PortalDbContext db, JobRecord job, EncoderRecord encoder, DatasetRecord bench, ResultRecord draft, string? artifactsDir = null)
    {
        var existing = db.Results.AsNoTracking().FirstOrDefault(x => x.EncoderSha256 == encoder.Sha256 && x.DatasetVersion == bench.VersionHash && x.ConfigKey == job.ConfigKey)
            ?? db.Results.AsNoTracking().FirstOrDefault(x => x.JobId == job.Id);
        if (existing != null) return existing.Id;
        draft.Id = 0;
        draft.JobId = job.Id;
        draft.EncoderId = encoder.Id;
        draft.DatasetId = bench.Id;
        draft.EncoderSha256 = encoder.Sha256!;
        draft.DatasetVersion = bench.VersionHash;
        draft.ConfigKey = job.ConfigKey;
        draft.Config = job.Config.Clone();
        draft.ArtifactsDir = artifactsDir;
        draft.CreatedAt = DateTime.UtcNow;
        db.Results.Add(draft);
        db.SaveChanges();
        return draft.Id;
    }
}
