namespace Portal.Engine.Progress;

/// <summary>
/// Time left from the average rate since the work started: work done in this attempt over the time it took, applied to
/// the work left. The rate of the last batch or iteration swings with warm-up, a batch boundary or a slow target; the
/// average over the whole attempt moves slowly, so an ETA does not jump between minutes and seconds.
/// </summary>
/// <param name="doneAtStart">Work already done when the attempt began (a resumed job's finished part), which took no time now.</param>
public sealed class SteadyEta(double doneAtStart)
{
    /// <summary>Remaining time, or null until some work of this attempt is done.</summary>
    public TimeSpan? Remaining(double doneNow, double total, TimeSpan elapsed)
    {
        var doneHere = doneNow - doneAtStart;
        if (doneHere <= 0 || elapsed <= TimeSpan.Zero) return null;
        return TimeSpan.FromSeconds(elapsed.TotalSeconds / doneHere * Math.Max(0, total - doneNow));
    }
}
