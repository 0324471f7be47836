namespace Portal.Web.Progress;

/// <summary>
/// What viewers of a job and of the queue receive (SignalR method "progress"). <see cref="SentAtUnixMs"/> is the server's
/// clock when the message left, so clients can measure lag.
/// </summary>
public sealed record JobProgressMessage(
    int JobId,
    string Status,
    string? Phase,
    int Done,
    int Total,
    double? CleanValue,
    double? RobustValue,
    double? EtaSeconds,
    string? Error,
    int? ResultId,
    long SentAtUnixMs = 0,
    long Sequence = 0);
