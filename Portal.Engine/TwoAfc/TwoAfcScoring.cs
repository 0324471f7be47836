using Portal.Engine.Metric;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.TwoAfc;

/// <summary>
/// The 2AFC decision rule shared by clean and robust evaluation (the paper's `get_sim`): logits are
/// [sim(ref, x0), sim(ref, x1)]; the prediction is 1 iff sim(ref, x1) &gt; sim(ref, x0), so ties go to x0 (left);
/// a triplet is correct iff the prediction equals the hard human label.
/// </summary>
public static class TwoAfcScoring
{
    public static Tensor Logits(IPerceptualModel model, Tensor eRef, Tensor e0, Tensor e1) =>
        torch.stack([model.Similarity(eRef, e0), model.Similarity(eRef, e1)], 1);

    /// <summary>bool N: prediction equals label (label int64 in {0,1}).</summary>
    public static Tensor Correct(Tensor logits, Tensor label)
    {
        using var scope = torch.NewDisposeScope();
        var predRight = logits[.., 1] > logits[.., 0];
        return predRight.eq(label.eq(1)).MoveToOuterDisposeScope();
    }

    /// <summary>sim to the human-chosen image minus sim to the other: &gt; 0 correct (= 0 correct only when the label is 0).</summary>
    public static Tensor Margin(Tensor logits, Tensor label)
    {
        using var scope = torch.NewDisposeScope();
        var diff = logits[.., 1] - logits[.., 0];
        return torch.where(label.eq(1), diff, -diff).MoveToOuterDisposeScope();
    }

    /// <summary>LPIPS' 2AFC score of one triplet: agreement with a random rater, 0.5 on ties.</summary>
    public static double LpipsScore(double sim0, double sim1, double judge) =>
        sim1 > sim0 ? judge : sim0 > sim1 ? 1 - judge : 0.5;
}
