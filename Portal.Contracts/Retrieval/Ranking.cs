namespace Portal.Engine.Retrieval;

/// <summary>Database indices by decreasing similarity. Ties go to the lower index (numpy's argsort leaves them unordered).</summary>
public static class Ranking
{
    public static int[] Descending(ReadOnlySpan<float> similarities)
    {
        var sims = similarities.ToArray();
        var idx = Enumerable.Range(0, sims.Length).ToArray();
        Array.Sort(idx, (a, b) =>
        {
            int c = sims[b].CompareTo(sims[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        return idx;
    }
}
