using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// Per item: <see cref="Adversarial"/> is the first point found that fools the model when the item was fooled, else
/// the point of lowest margin (highest loss) over all restarts. Tensors are on the input's device; dispose when done.
/// </summary>
public sealed class SquareResult(Tensor adversarial, Tensor success, Tensor bestLoss, int[] queries, int iterationsRun) : IDisposable
{
    public Tensor Adversarial { get; } = adversarial;
    /// <summary>bool N: the objective reported success at some queried point.</summary>
    public Tensor Success { get; } = success;
    public Tensor BestLoss { get; } = bestLoss;
    /// <summary>Model queries (forward passes of one item) spent per item over all restarts: one for each initial point
    /// plus one per iteration in which the item was still not fooled. For a fooled item this is the number of
    /// queries it took to fool it.</summary>
    public IReadOnlyList<int> Queries { get; } = queries;
    public long TotalQueries => Queries.Sum(q => (long)q);
    /// <summary>Iterations of the longest restart (≤ <see cref="SquareOptions.Queries"/>).</summary>
    public int IterationsRun { get; } = iterationsRun;

    public void Dispose() { Adversarial.Dispose(); Success.Dispose(); BestLoss.Dispose(); }
}
