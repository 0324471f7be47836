using Portal.Engine.Metric;
using Portal.Engine.Progress;

namespace Portal.Engine.Tasks;

/// <summary>The 2AFC benchmark: clean and (optionally) APGD-robust agreement with human judgements.</summary>
public static class TwoAfcTask
{
    // CONTRACT STUB: implemented on branch h3-twoafc.
    public static TwoAfcResult Run(
        IPerceptualModel model,
        IReadOnlyList<TwoAfcItem> items,
        string benchmark,
        TwoAfcOptions options,
        ITwoAfcItemStore? store,
        IProgress<EvaluationProgress>? progress,
        CancellationToken ct) =>
        throw new NotSupportedException("TwoAfcTask is being implemented (branch h3-twoafc)");
}
