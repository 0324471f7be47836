using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// What a task needs back from either attack (<see cref="AttackPlan.Run"/>): the adversarial points, the objective's
/// success flags, and — for the query-based Square Attack only — the model queries spent per item (null for APGD,
/// whose cost is gradients, not queries). Tensors are on the input's device; dispose when done.
/// </summary>
public sealed class AttackOutcome(Tensor adversarial, Tensor success, IReadOnlyList<int>? queries) : IDisposable
{
    public Tensor Adversarial { get; } = adversarial;
    /// <summary>bool N: the objective reported success at some point (all false for objectives without a success notion).</summary>
    public Tensor Success { get; } = success;
    /// <summary>Square: queries per item over all restarts (see <see cref="SquareResult.Queries"/>); APGD: null.</summary>
    public IReadOnlyList<int>? Queries { get; } = queries;

    public void Dispose() { Adversarial.Dispose(); Success.Dispose(); }
}
