namespace Portal.Worker;

/// <summary>Who this worker process is (its unique name, device, queues) and what it is doing now; the heartbeat writes it.</summary>
public sealed class WorkerIdentity(string name, string device, IReadOnlyList<string> queues, int threads)
{
    private readonly Lock _gate = new();

    public string Name { get; } = name;
    public string Device { get; } = device;
    public IReadOnlyList<string> Queues { get; } = queues;
    public int Threads { get; } = threads;
    public int? CurrentJobId { get; private set; }
    public int? CurrentValidationId { get; private set; }

    public void SetCurrent(int? jobId = null, int? validationId = null)
    {
        lock (_gate) (CurrentJobId, CurrentValidationId) = (jobId, validationId);
    }

    public static string DefaultName() => $"worker@{Environment.MachineName}:{Environment.ProcessId}";
}
