namespace Portal.Worker.Execution;

/// <summary>Extension point called on the worker thread after each batch of item records is stored (tests use it to stop a host mid-job).</summary>
public interface IEvaluationHooks
{
    void AfterItemsStored(int jobId, int storedCount, CancellationToken jobToken);
}

internal sealed class NoEvaluationHooks : IEvaluationHooks
{
    public void AfterItemsStored(int jobId, int storedCount, CancellationToken jobToken) { }
}
