using Portal.Data.Entities;

namespace Portal.Web.Features.Leaderboard;

/// <summary>
/// The encoder record has no fine-tuning field, so the leaderboard reads it from what the submitter wrote (family, name,
/// description): the paper's robust recipes (FARE, TeCoA, R-LPIPS, R-CLIP) are recognised by name.
/// </summary>
public static class FineTuning
{
    private static readonly (string Needle, string Label)[] Robust =
    [
        ("fare", "FARE (unsupervised adv.)"), ("tecoa", "TeCoA (supervised adv.)"), ("r-lpips", "R-LPIPS (adv.)"),
        ("rlpips", "R-LPIPS (adv.)"), ("r-clip", "R-CLIP (adv.)"), ("adversarial", "adversarial"), ("robust", "adversarial"),
    ];

    public static (string Label, bool Robust) Of(EncoderRecord e)
    {
        if (e.IsBuiltin) return ("— (baseline)", false);
        var text = $"{e.DisplayName} {e.Family} {e.Description}".ToLowerInvariant();
        foreach (var (needle, label) in Robust) if (text.Contains(needle)) return (label, true);
        if (text.Contains("lora")) return ("LoRA", false);
        if (text.Contains("fine-tun") || text.Contains("finetun")) return ("fine-tuned", false);
        return ("none", false);
    }
}
