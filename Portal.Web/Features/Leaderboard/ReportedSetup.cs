using Portal.Data.Entities;

namespace Portal.Web.Features.Leaderboard;

/// <summary>
/// The threat model behind a reported board's columns, as the paper states it (the shipped tables' README: its common setup and each
/// table's section). Unknown benchmarks (another paper's tables) get the radii their rows carry.
/// </summary>
public static class ReportedSetup
{
    private static readonly (string Prefix, string Text)[] Known =
    [
        ("NIGHTS", "As the paper states it: APGD on the cross-entropy loss, 100 iterations, perturbing only the reference image; ℓ∞ ε = 4/255, ℓ2 ε = 3; whole NIGHTS test set (Sec. IV, App. A)."),
        ("BAPPS", "As the paper states it: APGD-CE, 100 iterations × 1 restart, perturbing only the reference; ℓ∞ ε = 4/255, ℓ2 ε = 3; clean accuracy on each whole split, robust accuracy on 1k examples per split; the mean is over the 6 splits (Sec. IV, App. A)."),
        ("NSFW (deepghs/nsfw_detect), 2-class", "As the paper states it: two classes (no buffer); the grey-box attack of Eq. 5 targets only the CLIP encoder, APGD at ℓ∞ ε = 8/255 (Table IV)."),
        ("NSFW", "As the paper states it: retrieval among 500 S / 500 B / 500 U pool images, 1000 test queries per class; targeted grey-box attack (Eq. 5) towards 16 target-class images, APGD 200 iterations, ℓ∞ ε = 8/255 (Sec. V-A)."),
        ("ROxford", "As the paper states it: mAP, Medium and Hard protocols; untargeted attack (Eq. 6) pushing the query from its clean embedding, APGD 100 iterations, ℓ∞ ε = 4/255 (App. B-F)."),
        ("RParis", "As the paper states it: mAP, Medium and Hard protocols; untargeted attack (Eq. 6) pushing the query from its clean embedding, APGD 100 iterations, ℓ∞ ε = 4/255 (App. B-F)."),
        ("ImageNet firearms", "As the paper states it: retrieval pools of 500 Flickr images per class, no buffer; the attacked run is Eq. 5 with S targets, APGD 500 iterations at ℓ∞ ε = 8/255 (App. B-G)."),
        ("ImageNet", "As the paper states it: the evaluation protocol of [43]; robust accuracy with the first two AutoAttack attacks (APGD-CE, APGD-T on the DLR loss) at ℓ∞ ε = 2/255 and 4/255 (Table XI)."),
        ("13 zero-shot", "As the paper states it: the evaluation protocol of [43]; robust accuracy with the first two AutoAttack attacks (APGD-CE, APGD-T on the DLR loss) at ℓ∞ ε = 2/255 and 4/255 (Table XI)."),
        ("THINGS", "Clean odd-one-out accuracy only; no attack (Table XII)."),
        ("MS-COCO feature inversion", "Not an attack: the mean cosine similarity (in [0, 1], not a percentage) between 100 COCO images and their reconstructions from the row's model, scored by the column's model; inversion by 500 APGD iterations, ℓ2 radius 100 (Table VII)."),
    ];

    public static string Describe(string benchmark, IReadOnlyList<ReportedResultRecord> records)
    {
        foreach (var (prefix, text) in Known)
            if (benchmark.StartsWith(prefix, StringComparison.Ordinal) && records.All(r => r.Paper == Portal.Data.Reported.ReportedImporter.RobustClipMetrics.Id)) return text;
        var radii = records.Where(r => r.Threat != "clean").Select(r => $"{(r.Threat == "linf" ? "ℓ∞" : "ℓ2")} ε = {r.Eps}").Distinct().ToList();
        return radii.Count == 0 ? "Clean numbers only." : $"Threat models as reported: {string.Join(", ", radii)}.";
    }
}
