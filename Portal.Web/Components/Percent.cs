using System.Globalization;

namespace Portal.Web.Components;

/// <summary>How accuracies read everywhere on the portal: a percentage with one decimal, an en dash when missing.</summary>
public static class Percent
{
    public static string Format(double? fraction) => fraction is double v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) : "–";

    /// <summary>Bold when the value is the column's best (compared at display precision, so ties are all bold).</summary>
    public static bool IsBest(double? value, double? best) => value.HasValue && best.HasValue && Format(value) == Format(best);
}
