using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// Per item: <see cref="Adversarial"/> is the first successful iterate when the item was fooled, else the point of
/// highest loss found over all restarts. Tensors are on the input's device; dispose the result when done.
/// </summary>
public sealed class ApgdResult(Tensor adversarial, Tensor success, Tensor bestLoss, long gradientEvaluations, int iterationsRun) : IDisposable
{
    public Tensor Adversarial { get; } = adversarial;
    /// <summary>bool N: the objective reported success at some iterate.</summary>
    public Tensor Success { get; } = success;
    public Tensor BestLoss { get; } = bestLoss;
    /// <summary>Item-gradients computed (one per item per forward+backward), the attack's real cost.</summary>
    public long GradientEvaluations { get; } = gradientEvaluations;
    public int IterationsRun { get; } = iterationsRun;

    public void Dispose() { Adversarial.Dispose(); Success.Dispose(); BestLoss.Dispose(); }
}
