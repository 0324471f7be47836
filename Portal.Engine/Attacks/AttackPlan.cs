using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// Which attack a task runs, with its settings: exactly one of <see cref="Apgd"/> (white-box, gradients) and
/// <see cref="Square"/> (black-box, queries only). Both share the threat model (norm, ε) and the per-item seeding.
/// </summary>
public sealed record AttackPlan
{
    public ApgdOptions? Apgd { get; private init; }
    public SquareOptions? Square { get; private init; }

    public static AttackPlan Of(ApgdOptions apgd) => new() { Apgd = apgd };
    public static AttackPlan Of(SquareOptions square) => new() { Square = square };

    public string Kind => Apgd != null ? "apgd" : "square";
    public ThreatNorm Norm => Apgd?.Norm ?? Square!.Norm;
    public double Eps => Apgd?.Eps ?? Square!.Eps;
    public int Seed => Apgd?.Seed ?? Square!.Seed;

    public AttackPlan WithEps(double eps) => Apgd != null ? Of(Apgd with { Eps = eps }) : Of(Square! with { Eps = eps });

    /// <summary>The ε = 0 sanity attack with a small budget: <paramref name="steps"/> APGD iterations or Square queries.</summary>
    public AttackPlan ZeroEps(int steps) => Apgd != null
        ? Of(Apgd with { Eps = 0, Iterations = steps })
        : Of(Square! with { Eps = 0, Queries = steps });

    /// <summary>
    /// Runs the planned attack on any objective (2AFC, retrieval, detection): APGD follows the loss's gradient, Square
    /// only queries it; both maximise the same per-item loss and stop an item on the objective's success flag.
    /// </summary>
    public AttackOutcome Run(AttackObjective objective, Tensor x, IReadOnlyList<ulong> itemKeys, CancellationToken ct = default)
    {
        if (Apgd != null)
        {
            using var a = Attacks.Apgd.Run(objective, x, itemKeys, Apgd, ct);
            return new AttackOutcome(a.Adversarial.detach().clone(), a.Success.clone(), null);
        }
        using var s = Attacks.Square.Run(objective, x, itemKeys, Square!, ct);
        return new AttackOutcome(s.Adversarial.detach().clone(), s.Success.clone(), s.Queries.ToArray());
    }

    /// <summary>"APGD 10 iterations" / "Square 10 queries", for sanity-check details.</summary>
    public string Budget => Apgd != null ? $"APGD {Apgd.Iterations} iterations" : $"Square {Square!.Queries} queries";
}
