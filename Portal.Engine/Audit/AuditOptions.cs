using Portal.Engine.Attacks;

namespace Portal.Engine.Audit;

/// <summary>
/// What an attack audit runs around one robust result (the paper's appendix B-A, RobustBench's worst case): the threat
/// model under audit, the seeded subset, and each check's grid. Defaults are the protocol: 500 items, ε from 0
/// to 16× the threat model, APGD 10 / 50 / 100 / 250 / 500 iterations, 1 vs 5 restarts, Square with 5,000 queries.
/// </summary>
public sealed record AuditOptions
{
    public ThreatNorm Norm { get; init; } = ThreatNorm.Linf;
    public double Eps { get; init; } = 4.0 / 255;
    /// <summary>APGD iterations of the result under audit (the paper's 100).</summary>
    public int Iterations { get; init; } = 100;
    /// <summary>Size of the seeded subset (all items when the benchmark has fewer).</summary>
    public int Items { get; init; } = 500;
    public int Seed { get; init; }
    /// <summary>ε of the curve as multiples of <see cref="Eps"/>; it stops at the first point at or under <see cref="ZeroRobustAccuracy"/>.</summary>
    public IReadOnlyList<double> EpsMultipliers { get; init; } = [0, 0.25, 0.5, 1, 2, 4, 8, 16];
    public IReadOnlyList<int> IterationSteps { get; init; } = [10, 50, 100, 250, 500];
    public int Restarts { get; init; } = 5;
    public int SquareQueries { get; init; } = 5000;
    public int BatchSize { get; init; } = 16;

    /// <summary>Robust accuracy the ε curve must reach (the paper's Figure 7 goes to 0; 2 % allows for items no bounded attack can flip).</summary>
    public double ZeroRobustAccuracy { get; init; } = 0.02;
    /// <summary>How much lower (in accuracy, 0.01 = one point) a stronger setting may go before the audit warns.</summary>
    public double Tolerance { get; init; } = 0.01;

    public void Validate()
    {
        if (!(Eps > 0) || !double.IsFinite(Eps)) throw new ArgumentException($"the audited ε must be finite and > 0, got {Eps}");
        if (Iterations < 1 || Items < 1 || Restarts < 1 || SquareQueries < 1 || BatchSize < 1)
            throw new ArgumentException("iterations, items, restarts, square queries and batch size must be at least 1");
        if (EpsMultipliers.Count == 0 || EpsMultipliers.Any(m => m < 0 || !double.IsFinite(m))) throw new ArgumentException("ε multipliers must be finite and ≥ 0");
        if (IterationSteps.Count == 0 || IterationSteps.Any(i => i < 1)) throw new ArgumentException("iteration steps must be at least 1");
    }
}
