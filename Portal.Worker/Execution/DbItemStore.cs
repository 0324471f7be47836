using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.TwoAfc;
using Portal.Engine.Records;

namespace Portal.Worker.Execution;

/// <summary>
/// The engine's per-item store backed by the job_items table: items are committed as each batch completes, so a job
/// interrupted by a crash resumes from them. Re-appended ids (a batch retried after a crash) are ignored.
/// </summary>
public sealed class DbItemStore(IDbContextFactory<PortalDbContext> dbFactory, int jobId, IEvaluationHooks hooks, CancellationToken jobToken) : IRecordStore<TwoAfcItemResult>
{
    private HashSet<string>? _known;

    public IReadOnlyList<TwoAfcItemResult> LoadCompleted()
    {
        using var db = dbFactory.CreateDbContext();
        var rows = db.Items.AsNoTracking().Where(i => i.JobId == jobId).OrderBy(i => i.Id).ToList();
        _known = rows.Select(r => r.ItemId).ToHashSet(StringComparer.Ordinal);
        return rows.Select(r => new TwoAfcItemResult(r.ItemId, r.Split, r.Label, r.CleanCorrect, r.RobustCorrect, r.Margin, r.RobustMargin, r.LpipsScore)
            { PerturbationNorm = r.PerturbationNorm, RangeViolation = r.RangeViolation, Queries = r.Queries }).ToList();
    }

    public void Append(IReadOnlyList<TwoAfcItemResult> items)
    {
        if (_known == null) LoadCompleted();
        var fresh = items.Where(i => _known!.Add(i.Id)).ToList();
        if (fresh.Count == 0) return;
        using var db = dbFactory.CreateDbContext();
        db.Items.AddRange(fresh.Select(i => new ItemRecord
        {
            JobId = jobId, ItemId = i.Id, Split = i.Split, Label = i.Label, CleanCorrect = i.CleanCorrect,
            RobustCorrect = i.RobustCorrect, Margin = i.Margin, RobustMargin = i.RobustMargin, LpipsScore = i.LpipsScore,
            PerturbationNorm = i.PerturbationNorm, RangeViolation = i.RangeViolation, Queries = i.Queries,
        }));
        db.SaveChanges();
        hooks.AfterItemsStored(jobId, _known!.Count, jobToken);
    }

    public int Count => _known?.Count ?? 0;
}
