
namespace Portal.Engine.Attacks;

/// <summary>
/// The query statistics of a query-based attack (Square) over the items a task attacked: how many, how many it broke
/// (the task's own success notion), and the queries the broken ones took. Shared by 2AFC, retrieval and detection.
/// </summary>
public static class QueryCounts
{
    /// <param name="attacked">Per attacked item: the queries spent on it and whether the attack succeeded on it.</param>
    /// <param name="budget">The query budget per restart (<see cref="SquareOptions.Queries"/>).</param>
    public static QueryStatistics Summarise(IReadOnlyCollection<(int Queries, bool Broken)> attacked, int budget)
    {
        var broken = attacked.Where(a => a.Broken).Select(a => a.Queries).Order().ToList();
        double? median = broken.Count == 0 ? null
            : broken.Count % 2 == 1 ? broken[broken.Count / 2] : (broken[broken.Count / 2 - 1] + broken[broken.Count / 2]) / 2.0;
        return new QueryStatistics(attacked.Count, broken.Count, budget,
            broken.Count > 0 ? broken.Average() : null, median, broken.Count > 0 ? broken.Max() : null,
            attacked.Sum(a => (long)a.Queries));
    }
}
