using Portal.Engine.Encoders;

namespace Portal.Engine.Attacks;

/// <summary>
/// The checks every attacked result carries, whatever the task (2AFC, retrieval, detection): the largest ‖δ‖ is
/// within ε up to float32 rounding, and no adversarial pixel leaves [0, 1].
/// </summary>
public static class PerturbationChecks
{
    /// <param name="norms">‖δ‖ per attacked item, in float64.</param>
    /// <param name="ranges">Per attacked item, the largest distance of a pixel outside [0, 1].</param>
    /// <param name="over">What was measured, for the detail ("48 items", "7 attacked queries").</param>
    /// <param name="elementsPerItem">Pixels per image at the model's size (<see cref="Elements"/>).</param>
    public static IEnumerable<SanityCheck> For(IEnumerable<double> norms, IEnumerable<double> ranges, AttackPlan attack, string over, long elementsPerItem)
    {
        var limit = attack.Eps + RoundingSlack(attack.Norm, attack.Eps, elementsPerItem);
        var maxNorm = norms.DefaultIfEmpty(0).Max();
        var maxRange = ranges.DefaultIfEmpty(0).Max();
        yield return new SanityCheck("perturbation_within_eps", maxNorm <= limit, maxNorm, limit,
            $"largest ‖δ‖_{ApgdOptions.NormName(attack.Norm)} over {over} (float64)");
        yield return new SanityCheck("images_in_range", maxRange <= 0, maxRange, 0, "largest distance of an adversarial pixel outside [0,1]");
    }

    /// <summary>
    /// How far the measured ‖δ‖ of a float32 adversarial image may exceed ε from rounding alone. The projection's own
    /// float32 arithmetic is off by a few ulp of ε; storing x + δ as float32 (pixels in [0, 1], ulp ≤ 2⁻²⁴) moves each
    /// element by up to 2⁻²⁵, i.e. up to √d·2⁻²⁵ in L2 over an image of d elements. Both terms are doubled; never below
    /// the old 1e-6. (A fixed 1e-6 flagged a correct L2 ε = 0.1 run at 224 px, ‖δ‖₂ = ε + 1.6e-6.)
    /// </summary>
    public static double RoundingSlack(ThreatNorm norm, double eps, long elementsPerItem)
    {
        const double Ulp = 1.0 / (1 << 24);
        double storage = norm == ThreatNorm.L2 ? Math.Sqrt(Math.Max(elementsPerItem, 1)) * Ulp : Ulp;
        return Math.Max(1e-6, eps * 16 * Ulp + storage);
    }

    /// <summary>Pixels per item of an RGB input at the model's size (what <see cref="RoundingSlack"/> counts).</summary>
    public static long Elements(Preprocessing p) => 3L * p.ImageHeight * p.ImageWidth;
}
