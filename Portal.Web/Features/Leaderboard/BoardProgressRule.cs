namespace Portal.Web.Features.Leaderboard;

/// <summary>
/// What an open board does with a job's progress message. A running job the board shows updates its live cell; any
/// other message reloads the board, except the running messages of a job the board found it does not show (another
/// board's work): those are skipped, but its end is not, because a job that ended may have made this board's new row
/// (an encoder evaluated for the first time has no row, and so no running cell, until its result exists).
/// </summary>
public static class BoardProgressRule
{
    public enum Action { UpdateLive, Reload, Ignore }

    public static bool IsActive(string status) => status is "queued" or "running";

    /// <param name="shown">The board has a running cell for the job.</param>
    /// <param name="foreign">An earlier reload found the job active and not on the board.</param>
    public static Action For(string status, bool shown, bool foreign) =>
        shown && status == "running" ? Action.UpdateLive
        : foreign && IsActive(status) ? Action.Ignore
        : Action.Reload;
}
