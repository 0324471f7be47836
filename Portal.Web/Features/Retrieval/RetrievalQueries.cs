using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Retrieval;

/// <summary>One encoder's row on a retrieval or detection board: its best-known clean and attacked results.</summary>
public sealed record TaskBoardRow(EncoderRecord Encoder, ResultRecord? Clean, ResultRecord? Attacked)
{
    /// <summary>The result whose examples the row links to (attacked first: it shows both rows).</summary>
    public ResultRecord? Examples => Attacked?.ArtifactsDir != null ? Attacked : Clean?.ArtifactsDir != null ? Clean : null;

    public double? CleanSplit(string name) => (Clean ?? Attacked)?.Splits.FirstOrDefault(s => s.Name == name)?.CleanValue;
    public double? RobustSplit(string name) => Attacked?.Splits.FirstOrDefault(s => s.Name == name)?.RobustValue;
}

/// <summary>Database reads of the retrieval/detection pages.</summary>
public sealed class RetrievalQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<List<BenchmarkRecord>> Benchmarks()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Benchmarks.AsNoTracking()
            .Where(b => b.TaskKind == TaskKind.Retrieval || b.TaskKind == TaskKind.Detection)
            .OrderByDescending(b => b.TaskKind).ThenBy(b => b.Id).ToListAsync();
    }

    /// <summary>
    /// Rows per encoder on a benchmark: the latest full (no limit) clean result and the latest full attacked result
    /// (the paper's setting when several attacked ones exist: the largest iteration count).
    /// </summary>
    public async Task<List<TaskBoardRow>> Board(int benchmarkId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var results = await db.Results.AsNoTracking().Include(r => r.Encoder).Include(r => r.Splits)
            .Where(r => r.DatasetId == benchmarkId).ToListAsync();
        return results.Where(r => r.Encoder != null).GroupBy(r => r.EncoderId).Select(g =>
        {
            var full = g.Where(r => r.Config.Limit == null).ToList();
            var clean = full.Where(r => !r.Config.IsAttack).OrderByDescending(r => r.Id).FirstOrDefault();
            var attacked = full.Where(r => r.Config.IsAttack).OrderByDescending(r => r.Config.Iterations).ThenByDescending(r => r.Id).FirstOrDefault();
            return new TaskBoardRow(g.First().Encoder!, clean, attacked);
        }).OrderByDescending(r => r.Attacked?.RobustValue ?? -1).ThenByDescending(r => r.Clean?.CleanValue ?? -1).ToList();
    }

    public async Task<ResultRecord?> Result(int id)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Results.AsNoTracking().Include(r => r.Encoder).Include(r => r.Dataset).Include(r => r.Splits).FirstOrDefaultAsync(r => r.Id == id);
    }

    public async Task<List<ResultRecord>> Results(IEnumerable<int> ids)
    {
        var set = ids.ToList();
        await using var db = await dbFactory.CreateDbContextAsync();
        var rows = await db.Results.AsNoTracking().Include(r => r.Encoder).Include(r => r.Dataset).Include(r => r.Splits).Where(r => set.Contains(r.Id)).ToListAsync();
        return set.Select(id => rows.FirstOrDefault(r => r.Id == id)).OfType<ResultRecord>().ToList();
    }

    /// <summary>Results with examples on the same benchmark and configuration (one per encoder): the comparison's default set.</summary>
    public async Task<List<int>> Comparable(ResultRecord r)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var rows = await db.Results.AsNoTracking()
            .Where(x => x.DatasetId == r.DatasetId && x.ConfigKey == r.ConfigKey && x.ArtifactsDir != null).OrderBy(x => x.Id).ToListAsync();
        return rows.GroupBy(x => x.EncoderId).Select(g => g.Last().Id).ToList();
    }
}
