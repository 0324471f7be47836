using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Progress;

namespace Portal.Worker.Execution;

/// <summary>
/// Receives the engine's progress on the worker thread and writes it to the job row at most every
/// <paramref name="intervalMs"/> ms (and always the last one): every web node relays changed rows to its browsers.
/// </summary>
public sealed class JobProgressSink(IDbContextFactory<PortalDbContext> dbFactory, int jobId, int intervalMs) : IProgress<EvaluationProgress>
{
    private readonly TimeSpan _interval = TimeSpan.FromMilliseconds(Math.Max(20, intervalMs));
    private DateTime _lastDbWrite = DateTime.MinValue;

    public EvaluationProgress? Last { get; private set; }

    public void Report(EvaluationProgress p)
    {
        Last = p;
        var now = DateTime.UtcNow;
        if (now - _lastDbWrite < _interval && p.Done < p.Total) return;
        _lastDbWrite = now;
        double? eta = p.Eta?.TotalSeconds;
        using var db = dbFactory.CreateDbContext();
        db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Running).ExecuteUpdate(s => s
            .SetProperty(j => j.Done, p.Done)
            .SetProperty(j => j.Total, p.Total)
            .SetProperty(j => j.Phase, p.Phase)
            .SetProperty(j => j.CleanValue, p.CleanAccuracy)
            .SetProperty(j => j.RobustValue, p.RobustAccuracy)
            .SetProperty(j => j.EtaSeconds, eta)
            .SetProperty(j => j.UpdatedAt, now));
    }
}
