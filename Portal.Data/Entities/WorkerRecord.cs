namespace Portal.Data.Entities;

/// <summary>
/// One worker process as it reports itself (heartbeat every few seconds) and as its supervisor saw it end. Hangfire has
/// its own server list; this one carries what the portal shows: device, queues, current job, the last exit.
/// </summary>
public sealed class WorkerRecord
{
    public int Id { get; set; }
    /// <summary>Unique per process: "name/host:pid".</summary>
    public required string Name { get; set; }
    public string Host { get; set; } = "";
    public int ProcessId { get; set; }
    public string Device { get; set; } = "cpu";
    /// <summary>Comma-separated Hangfire queues it takes.</summary>
    public string Queues { get; set; } = "default";
    public int Threads { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime HeartbeatAt { get; set; }
    public int? CurrentJobId { get; set; }
    public int? CurrentValidationId { get; set; }
    /// <summary>Set when the process ended (cleanly or not).</summary>
    public DateTime? StoppedAt { get; set; }
    public string? ExitReason { get; set; }
}
