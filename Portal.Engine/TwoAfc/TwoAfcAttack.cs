using Portal.Engine.Attacks;
using Portal.Engine.Metric;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.TwoAfc;

/// <summary>
/// APGD on 2AFC triplets as the paper does it: only the reference is perturbed; the candidates' embeddings are
/// computed once on clean images and held fixed; the loss is the cross-entropy of the logits
/// [sim(ref+δ, x0), sim(ref+δ, x1)] (raw similarities, no temperature) towards the human label (optimised through
/// its exact monotone equivalent, the negative margin; see <see cref="Objective"/>); a triplet is a
/// success (fooled) when the decision rule of <see cref="TwoAfcScoring"/> gets it wrong.
/// </summary>
public static class TwoAfcAttack
{
    public static AttackObjective Objective(IPerceptualModel model, Tensor e0, Tensor e1, Tensor label) => (x, idx) =>
    {
        var e = model.Embed(x);
        // A searcher in another precision (bf16) meets the float32 candidates in float32: only its own passes are bf16.
        if (e.dtype != e0.dtype) e = e.to(e0.dtype);
        var logits = TwoAfcScoring.Logits(model, e, e0.index_select(0, idx), e1.index_select(0, idx)).to(ScalarType.Float32);
        var y = label.index_select(0, idx);
        // Cross-entropy on two logits is softplus(−m), m = the margin of the labelled image: a strictly increasing
        // function of −m. APGD uses only per-item loss comparisons, sign(∇L) and ∇L/‖∇L‖, all unchanged by a strictly
        // increasing per-item transform, so maximising −m follows exactly the CE trajectory; it also keeps gradients
        // alive where float32 CE saturates (σ(−m) underflows for unbounded similarities such as the pixel baseline).
        var loss = TwoAfcScoring.Margin(logits, y).neg();
        return new ObjectiveValue(loss, TwoAfcScoring.Correct(logits.detach(), y).logical_not());
    };

    /// <param name="refs">Clean references N×3×H×W in [0,1], already at the model's input size.</param>
    /// <param name="e0">Clean embeddings of x0 (N×D), <paramref name="e1"/> of x1.</param>
    /// <param name="label">Hard labels, int64 N.</param>
    public static ApgdResult Run(IPerceptualModel model, Tensor refs, Tensor e0, Tensor e1, Tensor label,
        IReadOnlyList<ulong> itemKeys, ApgdOptions options, CancellationToken ct = default)
    {
        using var a = e0.detach();   // handles of their own, freed here (the storage stays the caller's)
        using var b = e1.detach();
        return Apgd.Run(Objective(model, a, b, label), refs, itemKeys, options, ct);
    }

    /// <summary>The Square Attack on the same logits: margin loss (the objective's −margin, maximised), no gradient;
    /// only triplets not yet fooled are queried.</summary>
    public static SquareResult RunSquare(IPerceptualModel model, Tensor refs, Tensor e0, Tensor e1, Tensor label,
        IReadOnlyList<ulong> itemKeys, SquareOptions options, CancellationToken ct = default)
    {
        using var a = e0.detach();
        using var b = e1.detach();
        return Square.Run(Objective(model, a, b, label), refs, itemKeys, options, ct);
    }

    /// <summary>The attack a 2AFC configuration asks for: APGD or Square (null for none).</summary>
    public static AttackPlan? Plan(AttackConfig c, bool dropFooled = true)
    {
        if (!c.IsAttack) return null;
        if (c.Kind == "square")
        {
            if (c.Loss != "ce") throw new ArgumentException($"unsupported 2AFC attack loss '{c.Loss}' (ce)");
            if (c.Perturbed != "reference") throw new ArgumentException($"only the reference can be perturbed, not '{c.Perturbed}'");
            return AttackPlan.Of(SquareOptions.FromConfig(c));
        }
        return AttackPlan.Of(Options(c, dropFooled));
    }

    public static ApgdOptions Options(AttackConfig c, bool dropFooled = true)
    {
        if (c.Kind != "apgd") throw new ArgumentException($"unknown attack '{c.Kind}' (use none, apgd or square)");
        if (c.Loss != "ce") throw new ArgumentException($"unsupported 2AFC attack loss '{c.Loss}' (ce)");
        if (c.Perturbed != "reference") throw new ArgumentException($"only the reference can be perturbed, not '{c.Perturbed}'");
        return ApgdOptions.FromConfig(c, dropFooled);
    }
}
