using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Progress;
using Portal.Web.Progress;

namespace Portal.Web.Jobs;

/// <summary>
/// Receives the engine's progress on the worker thread: forwards every snapshot to the (throttling) broadcaster and
/// writes it to the job row at most once a second, so the queue page is right after a reload too.
/// </summary>
public sealed class JobProgressSink(IDbContextFactory<PortalDbContext> dbFactory, ProgressBroadcaster broadcaster, int jobId) : IProgress<EvaluationProgress>
{
    private static readonly TimeSpan DbInterval = TimeSpan.FromSeconds(1);
    private DateTime _lastDbWrite = DateTime.MinValue;

    public EvaluationProgress? Last { get; private set; }

    public void Report(EvaluationProgress p)
    {
        Last = p;
        broadcaster.Publish(new JobProgressMessage(jobId, "running", p.Phase, p.Done, p.Total, p.CleanAccuracy, p.RobustAccuracy, p.Eta?.TotalSeconds, null, null));
        if (DateTime.UtcNow - _lastDbWrite < DbInterval && p.Done < p.Total) return;
        _lastDbWrite = DateTime.UtcNow;
        using var db = dbFactory.CreateDbContext();
        db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Running).ExecuteUpdate(s => s
            .SetProperty(j => j.Done, p.Done)
            .SetProperty(j => j.Total, p.Total)
            .SetProperty(j => j.Phase, p.Phase)
            .SetProperty(j => j.CleanAccuracy, p.CleanAccuracy)
            .SetProperty(j => j.RobustAccuracy, p.RobustAccuracy));
    }
}
