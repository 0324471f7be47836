namespace Portal.Web.Jobs;

/// <summary>Wakes the idle worker when a job is queued, and lets the API cancel the running job.</summary>
public sealed class WorkerSignal
{
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly Lock _lock = new();
    private (int JobId, CancellationTokenSource Cts)? _running;

    public void Wake() => _wake.Release();
    public bool WaitForWork(TimeSpan timeout, CancellationToken ct)
    {
        try { return _wake.Wait(timeout, ct); }
        catch (OperationCanceledException) { return false; }
    }

    public void SetRunning(int jobId, CancellationTokenSource cts) { lock (_lock) _running = (jobId, cts); }
    public void ClearRunning() { lock (_lock) _running = null; }

    /// <summary>Cancels the job if it is the one running now; true when it was.</summary>
    public bool CancelRunning(int jobId)
    {
        lock (_lock)
        {
            if (_running is not { } r || r.JobId != jobId) return false;
            r.Cts.Cancel();
            return true;
        }
    }
}
