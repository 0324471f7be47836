namespace Portal.Engine.Attacks;

public enum ThreatNorm { Linf, L2 }

/// <summary>APGD settings; defaults are the paper's (Croce &amp; Hein 2020) and AutoAttack's.</summary>
public sealed record ApgdOptions
{
    public ThreatNorm Norm { get; init; } = ThreatNorm.Linf;
    public double Eps { get; init; } = 4.0 / 255;
    public int Iterations { get; init; } = 100;
    public int Restarts { get; init; } = 1;
    /// <summary>Checkpoint condition 1: halve the step when at most this fraction of the steps since the last checkpoint increased the loss.</summary>
    public double Rho { get; init; } = 0.75;
    /// <summary>The paper's momentum parameter α: x ← P(x + α(z − x) + (1 − α)(x − x_prev)); 1 on the first step.</summary>
    public double Alpha { get; init; } = 0.75;
    /// <summary>Initial step size = this × ε.</summary>
    public double InitialStepFactor { get; init; } = 2.0;
    public bool RandomStart { get; init; } = true;
    public int Seed { get; init; }
    /// <summary>Stop attacking an item once it is a success (its result cannot change any more).</summary>
    public bool DropSucceeded { get; init; } = true;

    public static ThreatNorm ParseNorm(string s) => s.Trim().ToLowerInvariant() switch
    {
        "linf" or "l-inf" or "inf" => ThreatNorm.Linf,
        "l2" => ThreatNorm.L2,
        _ => throw new ArgumentException($"unknown norm '{s}' (use linf or l2)"),
    };

    /// <summary>APGD settings from a task's attack configuration (shared by 2AFC, retrieval and detection).</summary>
    public static ApgdOptions FromConfig(AttackConfig c, bool dropSucceeded = true)
    {
        if (c.Kind != "apgd") throw new ArgumentException($"unknown attack '{c.Kind}' (use none or apgd)");
        if (c.Eps < 0 || !double.IsFinite(c.Eps)) throw new ArgumentException($"ε must be finite and ≥ 0, got {c.Eps}");
        if (c.Iterations < 1) throw new ArgumentException($"the attack needs at least 1 iteration, got {c.Iterations}");
        return new ApgdOptions
        {
            Norm = ParseNorm(c.Norm),
            Eps = c.Eps,
            Iterations = c.Iterations,
            Restarts = c.Restarts,
            Seed = c.Seed,
            DropSucceeded = dropSucceeded,
        };
    }

    public static string NormName(ThreatNorm n) => n == ThreatNorm.Linf ? "linf" : "l2";
}
