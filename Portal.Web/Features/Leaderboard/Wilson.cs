using Portal.Web.Components;

namespace Portal.Web.Features.Leaderboard;

/// <summary>A 95% confidence interval of an accuracy, as fractions in [0,1].</summary>
public readonly record struct Interval(double Lo, double Hi)
{
    public bool Overlaps(Interval other) => Lo <= other.Hi && other.Lo <= Hi;
    /// <summary>"68.9–73.4" (percent, one decimal, like the cells).</summary>
    public override string ToString() => $"{Percent.Format(Lo)}–{Percent.Format(Hi)}";
}

/// <summary>
/// Wilson score interval of a binomial proportion: an accuracy p measured on n items (2AFC triplets) is k = p·n successes.
/// Unlike the normal approximation it stays inside [0,1] and is sensible at p near 0 or 1 (robust accuracies often are).
/// </summary>
public static class Wilson
{
    /// <summary>z of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>The 95% interval of accuracy <paramref name="p"/> over <paramref name="n"/> items; null when n is 0 (no item count: reported numbers).</summary>
    public static Interval? Of(double p, int n, double z = Z95)
    {
        if (n <= 0 || double.IsNaN(p)) return null;
        p = Math.Clamp(p, 0, 1);
        var z2 = z * z;
        var denom = 1 + z2 / n;
        var center = (p + z2 / (2.0 * n)) / denom;
        var half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new Interval(Math.Max(0, center - half), Math.Min(1, center + half));
    }
}
