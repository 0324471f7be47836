using Portal.Data.Entities;
using Portal.Web.Progress;

namespace Portal.Web.Jobs;

public static class JobMessages
{
    public static string StatusName(JobStatus s) => s.ToString().ToLowerInvariant();

    public static JobProgressMessage From(JobRecord j, double? etaSeconds = null) =>
        new(j.Id, StatusName(j.Status), j.Phase, j.Done, j.Total, j.CleanAccuracy, j.RobustAccuracy, etaSeconds, j.Error, j.ResultId);
}
