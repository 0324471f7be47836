using Portal.Data.Entities;
using Portal.Web.Progress;

namespace Portal.Web.Features.Jobs;

/// <summary>A job's state for display: the stored record overlaid with the newest live progress message, if any.</summary>
public sealed record JobView(JobRecord Job, JobProgressMessage? Live)
{
    public string Status => Live?.Status ?? JobMessages.StatusName(Job.Status);
    public int Done => Live?.Done ?? Job.Done;
    public int Total => Live?.Total ?? Job.Total;
    public string? Phase => Live?.Phase ?? Job.Phase;
    public double? CleanValue => Live?.CleanValue ?? Job.CleanValue;
    public double? RobustValue => Live?.RobustValue ?? Job.RobustValue;
    public double? EtaSeconds => Status == "running" ? Live?.EtaSeconds : null;
    public string? Error => Live?.Error ?? Job.Error;
    /// <summary>Succeeded jobs show 100% even when a reused result meant no items ran.</summary>
    public double Percent => Status == "succeeded" ? 100 : Total == 0 ? 0 : Math.Clamp(100.0 * Done / Total, 0, 100);
    public bool IsActive => Status is "queued" or "running";

    public static string Eta(double seconds) => seconds switch
    {
        < 1 => "< 1 s",
        < 90 => $"{seconds:0} s",
        < 5400 => $"{seconds / 60:0} min",
        _ => $"{seconds / 3600:0.#} h",
    };
}
