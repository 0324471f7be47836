namespace Portal.Web.Features.Leaderboard;

/// <summary>
/// Pure: ranks of rows already in the board's default order (L∞, then L2, then clean, best first) and the tie rule. A row
/// is "statistically tied" with the row ranked just above it when the 95% Wilson intervals of the column that orders them
/// (the first of L∞, L2, clean that both rows have an interval on) overlap: the data cannot tell which of the two is better.
/// Rows without an interval (reported numbers, overview means) are never tied.
/// </summary>
public static class LeaderboardRanks
{
    private static readonly AccuracyKind[] Order = [AccuracyKind.Linf, AccuracyKind.L2, AccuracyKind.Clean];

    public static Dictionary<int, RankInfo> Of(IReadOnlyList<LeaderboardRow> rows)
    {
        var result = new Dictionary<int, RankInfo>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            int? tied = null; string? note = null;
            if (i > 0 && Tie(rows[i - 1], rows[i]) is { } t)
            {
                tied = i; // the rank of the row above
                note = $"Statistically tied with #{i} ({rows[i - 1].Encoder}): their 95% Wilson intervals of {Label(t.Kind)} overlap ({t.Above} % vs {t.Mine} %).";
            }
            result.TryAdd(rows[i].EncoderId, new RankInfo(i + 1, tied, note));
        }
        return result;
    }

    /// <summary>The column ordering two adjacent rows, when both have an interval on it and the intervals overlap; otherwise null.</summary>
    public static (AccuracyKind Kind, Interval Above, Interval Mine)? Tie(LeaderboardRow above, LeaderboardRow row)
    {
        foreach (var k in Order)
        {
            // The first column either row has a value on decides their order; without intervals on both it says nothing.
            if (above.Get(k) is null && row.Get(k) is null) continue;
            return above.Ci(k) is { } a && row.Ci(k) is { } b && a.Overlaps(b) ? (k, a, b) : null;
        }
        return null;
    }

    private static string Label(AccuracyKind k) => k switch { AccuracyKind.Clean => "clean accuracy", AccuracyKind.Linf => "L∞ robust accuracy", _ => "L2 robust accuracy" };
}
