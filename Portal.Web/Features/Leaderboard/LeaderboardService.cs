using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Leaderboard;

/// <summary>Loads what leaderboards need from the database; shared by the pages and /api/leaderboards.</summary>
public sealed class LeaderboardService(IDbContextFactory<PortalDbContext> dbFactory)
{
    // These boards rank 2AFC agreement (TaskKind.TwoAfc); retrieval, detection and galleries have their own pages, FARE image sets none.

    public async Task<List<LeaderboardChoice>> ChoicesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var benchmarks = await db.Benchmarks.AsNoTracking().Where(b => b.TaskKind == TaskKind.TwoAfc).OrderBy(b => b.Id).ToListAsync(ct);
        var counts = await db.Results.AsNoTracking().Where(r => r.Dataset!.TaskKind == TaskKind.TwoAfc).GroupBy(r => r.DatasetId)
            .Select(g => new { g.Key, N = g.Select(r => r.EncoderId).Distinct().Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        var overall = await db.Results.AsNoTracking().Where(r => r.Dataset!.TaskKind == TaskKind.TwoAfc).Select(r => r.EncoderId).Distinct().CountAsync(ct);
        // Numbers papers report: on the measured board of their benchmark, or on boards of their own after the measured ones.
        var catalog = ReportedBoards.Catalog(await db.ReportedResults.AsNoTracking().ToListAsync(ct), benchmarks);
        var reportedOn = catalog.Where(c => c.BenchmarkId != null).GroupBy(c => c.BenchmarkId!.Value).ToDictionary(g => g.Key, g => g.Sum(c => c.Models));
        return [new LeaderboardChoice(LeaderboardBuilder.OverviewKey, "Overview", overall),
            .. benchmarks.Select(b => new LeaderboardChoice(b.Id.ToString(CultureInfo.InvariantCulture), b.Name, counts.GetValueOrDefault(b.Id), reportedOn.GetValueOrDefault(b.Id))),
            .. catalog.Where(c => c.BenchmarkId == null).Select(c => new LeaderboardChoice(c.Key, c.Title, 0, c.Models, ReportedOnly: true))];
    }

    /// <summary>"overview", a benchmark id, or a benchmark name (case-insensitive); null when no such benchmark.</summary>
    public async Task<Leaderboard?> BuildAsync(string key, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var benchmarks = await db.Benchmarks.AsNoTracking().Where(b => b.TaskKind == TaskKind.TwoAfc).OrderBy(b => b.Id).ToListAsync(ct);
        if (key.StartsWith(ReportedBoards.KeyPrefix, StringComparison.OrdinalIgnoreCase))
            return ReportedBoards.ReportedOnly(key, await db.ReportedResults.AsNoTracking().ToListAsync(ct), benchmarks);
        var overview = string.IsNullOrEmpty(key) || key.Equals(LeaderboardBuilder.OverviewKey, StringComparison.OrdinalIgnoreCase);
        var bench = overview ? null
            : int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? benchmarks.FirstOrDefault(b => b.Id == id)
            : benchmarks.FirstOrDefault(b => b.Name.Equals(key, StringComparison.OrdinalIgnoreCase));
        if (!overview && bench == null) return null;

        // FARE image sets (task kind "fare") are training data, not leaderboards.
        var results = db.Results.AsNoTracking().Include(r => r.Splits).Where(r => r.Dataset!.TaskKind == TaskKind.TwoAfc);
        var jobs = db.Jobs.AsNoTracking().Where(j => (j.Status == JobStatus.Queued || j.Status == JobStatus.Running) && j.Dataset!.TaskKind == TaskKind.TwoAfc);
        if (bench != null) { results = results.Where(r => r.DatasetId == bench.Id); jobs = jobs.Where(j => j.DatasetId == bench.Id); }
        var resultList = await results.AsSplitQuery().ToListAsync(ct);
        var jobList = await jobs.ToListAsync(ct);
        var encoderIds = resultList.Select(r => r.EncoderId).Concat(jobList.Select(j => j.EncoderId)).ToHashSet();
        var encoders = await db.Encoders.AsNoTracking().Where(e => encoderIds.Contains(e.Id)).OrderBy(e => e.Id).ToListAsync(ct);
        if (bench == null) return LeaderboardBuilder.Overview(benchmarks, encoders, resultList, jobList);
        var board = LeaderboardBuilder.ForBenchmark(bench, encoders, resultList, jobList);
        var reported = await db.ReportedResults.AsNoTracking().Where(r => r.Metric == ReportedBoards.TwoAfcMetric).ToListAsync(ct);
        return ReportedBoards.Merge(board, bench, reported, encoders);
    }
}
