namespace Portal.Engine.Attacks;

/// <summary>
/// Square Attack settings (Andriushchenko et al., ECCV 2020); defaults are AutoAttack's standard version:
/// margin loss, p_init = 0.8, 5,000 queries, one restart, the p schedule rescaled to the query budget.
/// </summary>
public sealed record SquareOptions
{
    public ThreatNorm Norm { get; init; } = ThreatNorm.Linf;
    public double Eps { get; init; } = 4.0 / 255;
    /// <summary>Iterations of random search per restart (AutoAttack's n_queries); each iteration queries every item
    /// not yet fooled once, on top of the one query of its initial point.</summary>
    public int Queries { get; init; } = 5000;
    /// <summary>Initial fraction of the image a square covers (AutoAttack: 0.8).</summary>
    public double PInit { get; init; } = 0.8;
    public int Restarts { get; init; } = 1;
    public int Seed { get; init; }
    /// <summary>Rescale the schedule of p to the budget: iteration i is placed at ⌊i / Queries · 10000⌋ (AutoAttack's resc_schedule).</summary>
    public bool RescaleSchedule { get; init; } = true;

    /// <summary>
    /// The piecewise-constant schedule of p (fraction of pixels a square covers) at 0-based iteration <paramref name="iteration"/>:
    /// p_init, halved after (rescaled) iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000.
    /// </summary>
    public double P(int iteration)
    {
        int it = RescaleSchedule ? (int)((double)iteration / Queries * 10000) : iteration;
        int halvings = it switch
        {
            <= 10 => 0,
            <= 50 => 1,
            <= 200 => 2,
            <= 500 => 3,
            <= 1000 => 4,
            <= 2000 => 5,
            <= 4000 => 6,
            <= 6000 => 7,
            <= 8000 => 8,
            _ => 9,
        };
        return PInit / (1 << halvings);
    }

    /// <summary>Square Attack settings from a task's attack configuration (kind "square").</summary>
    public static SquareOptions FromConfig(AttackConfig c)
    {
        if (c.Kind != "square") throw new ArgumentException($"not a square attack: '{c.Kind}'");
        if (c.Eps < 0 || !double.IsFinite(c.Eps)) throw new ArgumentException($"ε must be finite and ≥ 0, got {c.Eps}");
        var queries = c.Queries ?? 5000;
        if (queries < 1) throw new ArgumentException($"the square attack needs at least 1 query, got {queries}");
        if (c.Restarts < 1) throw new ArgumentException($"the square attack needs at least 1 restart, got {c.Restarts}");
        return new SquareOptions
        {
            Norm = ApgdOptions.ParseNorm(c.Norm),
            Eps = c.Eps,
            Queries = queries,
            Restarts = c.Restarts,
            Seed = c.Seed,
        };
    }
}
