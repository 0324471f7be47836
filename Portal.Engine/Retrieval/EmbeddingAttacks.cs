using Portal.Engine.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Retrieval;

/// <summary>
/// The paper's embedding-space attacks, as objectives on normalised embeddings φ̂. The same objective serves APGD
/// (which follows its gradient) and the Square Attack (which only queries it): both maximise the loss and stop an
/// item on its success flag, so Square attacks exactly the task's loss and counts exactly the task's success.
/// </summary>
public static class EmbeddingAttacks
{
    /// <summary>
    /// Untargeted (Eq. 6): maximise ‖φ̂(x+δ) − φ̂(x)‖², pushing the query's embedding as far from its clean value as
    /// the ball allows. No success notion, so APGD keeps the highest-loss point.
    /// </summary>
    public static AttackObjective Untargeted(RetrievalEmbeddings embedder, Tensor cleanNormalized) => (x, idx) =>
    {
        var e = embedder.Embed(x);
        var loss = (e - cleanNormalized.index_select(0, idx)).square().sum(1);
        return new ObjectiveValue(loss, null);
    };

    /// <summary>
    /// Targeted (Eq. 5): maximise the mean cosine similarity of φ̂(x+δ) to the target images' embeddings
    /// (targetsNormalized T×D, shared by every query).
    /// </summary>
    public static Tensor MeanCosine(Tensor normalized, Tensor targetsNormalized) =>
        normalized.matmul(targetsNormalized.t()).mean([1]);

    /// <summary>APGD settings for an embedding attack; the attack config must be apgd.</summary>
    public static ApgdOptions Options(AttackConfig c, bool dropSucceeded = true) => ApgdOptions.FromConfig(c, dropSucceeded);

    /// <summary>The attack an embedding task's configuration asks for: APGD or Square (null for none).</summary>
    public static AttackPlan? Plan(AttackConfig c, bool dropSucceeded = true) => !c.IsAttack ? null : c.Kind switch
    {
        "apgd" => AttackPlan.Of(Options(c, dropSucceeded)),
        "square" => AttackPlan.Of(SquareOptions.FromConfig(c)),
        _ => throw new ArgumentException($"unknown attack '{c.Kind}' (use none, apgd or square)"),
    };

    /// <summary>Per item: ‖δ‖ in the attack's norm (float64) and how far the adversarial image leaves [0,1].</summary>
    public static (double[] Norms, double[] Range) Check(Tensor adversarial, Tensor clean, ThreatNorm norm)
    {
        using var scope = torch.NewDisposeScope();
        var n = ThreatBall.Norms(adversarial - clean, norm);
        var a = adversarial.detach().to(ScalarType.Float64).flatten(1);
        var below = (-a.amin([1])).clamp_min(0);
        var above = (a.amax([1]) - 1).clamp_min(0);
        return (n, torch.maximum(below, above).cpu().data<double>().ToArray());
    }
}
