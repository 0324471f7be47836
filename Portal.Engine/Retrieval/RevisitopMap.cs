namespace Portal.Engine.Retrieval;

/// <summary>Revisitop's protocols: which labels count as positives and which are ignored (junk).</summary>
public enum RevisitopProtocol { Easy, Medium, Hard }

/// <summary>mAP (0..1), per-query AP (NaN for a query without positives) and mean precision at each κ.</summary>
public sealed record MapResult(double Map, double[] Aps, int[] Kappas, double[] MeanPrecisionAt, int EmptyQueries);

/// <summary>
/// Mean average precision exactly as revisitop's <c>compute_map</c> computes it: junk items are removed from the
/// ranking (each positive's position drops by the number of junk items ranked above it); AP is the trapezoid rule over
/// recall steps 1/|ok| with p0 = 1 at rank 0 else j/r and p1 = (j+1)/(r+1); a query without positives has AP = NaN and
/// is left out of the mean; P@κ uses κq = min(last positive's 1-based position, κ).
/// </summary>
public static class RevisitopMap
{
    /// <summary>Positives and junk of a query under a protocol (Easy: ok = easy, junk = junk + hard; Medium: ok = easy +
    /// hard, junk = junk; Hard: ok = hard, junk = junk + easy).</summary>
    public static (int[] Ok, int[] Junk) Labels(RevisitopQuery q, RevisitopProtocol p) => p switch
    {
        RevisitopProtocol.Easy => (q.Easy, [.. q.Junk, .. q.Hard]),
        RevisitopProtocol.Medium => ([.. q.Easy, .. q.Hard], q.Junk),
        RevisitopProtocol.Hard => (q.Hard, [.. q.Junk, .. q.Easy]),
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    /// <summary>AP of one ranking (database indices, most similar first); NaN when <paramref name="ok"/> is empty.</summary>
    public static double AveragePrecision(IReadOnlyList<int> ranking, IReadOnlyCollection<int> ok, IReadOnlyCollection<int> junk) =>
        AdjustedPositions(ranking, ok, junk) is { } pos ? ApFromPositions(pos, ok.Count) : double.NaN;

    /// <summary>0-based positions of the positives after removing junk, ascending; null when there is no positive.</summary>
    public static int[]? AdjustedPositions(IReadOnlyList<int> ranking, IReadOnlyCollection<int> ok, IReadOnlyCollection<int> junk)
    {
        // revisitop counts |ok| as given (duplicates included), but positions come from set membership.
        if (ok.Count == 0) return null;
        var okSet = ok.ToHashSet();
        var junkSet = junk.ToHashSet();
        var pos = new List<int>();
        int junkSeen = 0;
        for (int i = 0; i < ranking.Count; i++)
        {
            // Junk strictly above a positive lowers its position; an item listed as both ok and junk is a positive
            // (np.in1d on each list) that lowers only the positives below it — revisitop's strict comparison.
            if (okSet.Contains(ranking[i])) pos.Add(i - junkSeen);
            if (junkSet.Contains(ranking[i])) junkSeen++;
        }
        return pos.ToArray();
    }

    /// <summary>Trapezoids in the PR plot over the adjusted positions of the positives found.</summary>
    public static double ApFromPositions(IReadOnlyList<int> pos, int nPositives)
    {
        double ap = 0, step = 1.0 / nPositives;
        for (int j = 0; j < pos.Count; j++)
        {
            int r = pos[j];
            double p0 = r == 0 ? 1.0 : (double)j / r;
            double p1 = (double)(j + 1) / (r + 1);
            ap += (p0 + p1) * step / 2.0;
        }
        return ap;
    }

    /// <summary>mAP over queries; <paramref name="rankings"/>[q] lists database indices for query q, most similar first.</summary>
    public static MapResult Compute(IReadOnlyList<IReadOnlyList<int>> rankings, IReadOnlyList<RevisitopQuery> gnd, RevisitopProtocol protocol, IReadOnlyList<int>? kappas = null)
    {
        if (rankings.Count != gnd.Count) throw new ArgumentException($"{rankings.Count} rankings for {gnd.Count} queries");
        var ks = (kappas ?? []).ToArray();
        var aps = new double[gnd.Count];
        var prSum = new double[ks.Length];
        double sum = 0;
        int empty = 0;
        for (int q = 0; q < gnd.Count; q++)
        {
            var (ok, junk) = Labels(gnd[q], protocol);
            var pos = AdjustedPositions(rankings[q], ok, junk);
            if (pos == null) { aps[q] = double.NaN; empty++; continue; }
            aps[q] = ApFromPositions(pos, ok.Length);
            sum += aps[q];
            for (int j = 0; j < ks.Length; j++)
                prSum[j] += PrecisionAt(pos, ks[j]);
        }
        int n = gnd.Count - empty;
        return new MapResult(n > 0 ? sum / n : double.NaN, aps, ks, prSum.Select(p => n > 0 ? p / n : double.NaN).ToArray(), empty);
    }

    /// <summary>revisitop's P@κ: with 1-based positions, κq = min(max position, κ), P = #{pos ≤ κq} / κq.</summary>
    public static double PrecisionAt(IReadOnlyList<int> adjustedPositions, int kappa)
    {
        // max() of an empty array raises in numpy; a query whose positives are all unranked has no P@κ.
        if (adjustedPositions.Count == 0) return 0;
        int kq = Math.Min(adjustedPositions.Max() + 1, kappa);
        return adjustedPositions.Count(p => p + 1 <= kq) / (double)kq;
    }
}
