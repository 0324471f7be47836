using Portal.Data.Entities;
using Portal.Web.Progress;

namespace Portal.Web.Features.Jobs;

public static class JobMessages
{
    public static string StatusName(JobStatus s) => s.ToString().ToLowerInvariant();

    public static JobProgressMessage From(JobRecord j) =>
        new(j.Id, StatusName(j.Status), j.Phase, j.Done, j.Total, j.CleanValue, j.RobustValue,
            j.Status == JobStatus.Running ? j.EtaSeconds : null, Accounts.Disclosure.ScrubPaths(j.Error), j.ResultId); // sent to every viewer: no server paths
}
