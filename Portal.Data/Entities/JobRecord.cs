namespace Portal.Data.Entities;

/// <summary>One run of an encoder on a dataset (a benchmark, a gallery, FARE's training images) with a configuration: the record users see; Hangfire dispatches it to a worker.</summary>
public sealed class JobRecord
{
    public int Id { get; set; }
    public int EncoderId { get; set; }
    public EncoderRecord? Encoder { get; set; }
    /// <summary>The benchmark, gallery or training-image set it runs on.</summary>
    public int DatasetId { get; set; }
    public DatasetRecord? Dataset { get; set; }
    /// <summary>Preset name the job was created from ("clean", "linf-4", "l2-3", or "custom").</summary>
    public string Preset { get; set; } = "custom";
    public JobConfig Config { get; set; } = new();
    /// <summary>Denormalised <see cref="JobConfig.Key"/> so identical requests are found by index.</summary>
    public string ConfigKey { get; set; } = "";
    public JobStatus Status { get; set; }
    public int Done { get; set; }
    public int Total { get; set; }
    /// <summary>The benchmark's metric over the items done so far, clean and under attack (what the result will call
    /// <see cref="ResultRecord.Metric"/>: a 2AFC accuracy, a mAP, a detection rate, a mean cosine).</summary>
    public double? CleanValue { get; set; }
    public double? RobustValue { get; set; }
    public string? Phase { get; set; }
    /// <summary>The engine's estimate of the time left, as of the last progress write.</summary>
    public double? EtaSeconds { get; set; }
    /// <summary>How many times a worker started this job (a re-queued crash counts again).</summary>
    public int Attempts { get; set; }
    /// <summary>Items per batch, fixed by the first attempt (configured, or sized from the worker's memory); later attempts
    /// reuse it, so a resumed or taken-over job evaluates the same batches as it began with.</summary>
    public int? BatchSize { get; set; }
    /// <summary>How <see cref="BatchSize"/> was chosen: "configured", or the measured fit (per-item and fixed bytes, budget).</summary>
    public string? BatchSizing { get; set; }
    public string? Error { get; set; }
    public string? ErrorStack { get; set; }
    /// <summary>Name of the worker that runs (or last ran) it.</summary>
    public string? WorkerId { get; set; }
    /// <summary>Hangfire queue the job is dispatched on ("gpu", "cpu", …).</summary>
    public string Queue { get; set; } = "default";
    /// <summary>The running worker renews this every few seconds; a running job whose lease ran out lost its worker.</summary>
    public DateTime? LeaseUntil { get; set; }
    /// <summary>Attempts whose worker process died (crash, kill, OOM) before the job ended.</summary>
    public int Deaths { get; set; }
    /// <summary>What the last dead worker said (its last stderr line, or the memory limit it hit).</summary>
    public string? LastDeath { get; set; }
    /// <summary>Last change of status or progress (UTC); the web relays changed rows to browsers.</summary>
    public DateTime UpdatedAt { get; set; }
    public bool CancelRequested { get; set; }
    /// <summary>The result this job produced, or the identical earlier result it reused.</summary>
    public int? ResultId { get; set; }
    public bool ReusedResult { get; set; }
    /// <summary>Identity user id of the researcher who submitted it (null for demo/system jobs); that user may cancel it.</summary>
    public string? SubmittedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
