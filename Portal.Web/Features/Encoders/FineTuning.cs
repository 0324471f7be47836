using Portal.Data.Entities;

namespace Portal.Web.Features.Encoders;

/// <summary>
/// The robust recipe is read from what the submitter wrote (family, name, description): the paper's recipes (FARE,
/// TeCoA, R-LPIPS, R-CLIP) are recognised by name. A variant registered with an MLP head or LoRA adapter says so itself.
/// </summary>
public static class FineTuning
{
    private static readonly (string Needle, string Label)[] Robust =
    [
        ("fare", "FARE (unsupervised adv.)"), ("tecoa", "TeCoA (supervised adv.)"), ("r-lpips", "R-LPIPS (adv.)"),
        ("rlpips", "R-LPIPS (adv.)"), ("r-clip", "R-CLIP (adv.)"), ("adversarial", "adversarial"), ("robust", "adversarial"),
    ];

    /// <summary>What a variant adds to its parent ("MLP head", "LoRA", "MLP head + LoRA"); null for other encoders.</summary>
    public static string? Adapters(EncoderRecord e) => (e.MlpHeadPath, e.LoraPath) switch
    {
        (not null, not null) => "MLP head + LoRA", (not null, null) => "MLP head", (null, not null) => "LoRA", _ => null,
    };

    public static (string Label, bool Robust) Of(EncoderRecord e)
    {
        if (e.IsBuiltin) return ("— (baseline)", false);
        var text = $"{e.DisplayName} {e.Family} {e.Description}".ToLowerInvariant();
        // A registered variant says what it adds; the robust recipe still comes from the (inherited) name and family.
        var adapters = Adapters(e);
        foreach (var (needle, label) in Robust)
            if (text.Contains(needle)) return (adapters is null ? label : $"{label} + {adapters}", true);
        if (adapters != null) return (adapters, false);
        if (text.Contains("lora")) return ("LoRA", false);
        if (text.Contains("fine-tun") || text.Contains("finetun")) return ("fine-tuned", false);
        return ("none", false);
    }
}
