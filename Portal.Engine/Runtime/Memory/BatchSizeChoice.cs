using System.Globalization;

namespace Portal.Engine.Runtime.Memory;

/// <summary>One probe of the batch sizer: the step at <paramref name="Batch"/> items raised the peak this far above the start.</summary>
public sealed record BatchProbe(int Batch, long PeakBytes);

/// <summary>
/// What the batch sizer found: a peak that grows by <see cref="PerItemBytes"/> per item above <see cref="FixedBytes"/>,
/// and the largest batch whose predicted peak fits <see cref="BudgetBytes"/> (the headroom times the fraction), at most
/// the cap. Peaks are counted from <see cref="StartBytes"/>, what was in use before the first probe. <see cref="Problem"/>
/// says why no size could be measured; <see cref="Batch"/> is then 0.
/// </summary>
public sealed record BatchSizeChoice(
    int Batch, long StartBytes, long HeadroomBytes, long BudgetBytes, long PerItemBytes, long FixedBytes, IReadOnlyList<BatchProbe> Probes,
    bool CappedByMax = false, string? Problem = null)
{
    /// <summary>The peak the fit predicts for <paramref name="batch"/> items, above what was in use before the probes.</summary>
    public long PredictedPeakBytes(int batch) => FixedBytes + PerItemBytes * batch;

    public string Describe() => Problem is { } p
        ? $"batch size not measured: {p}"
        : string.Create(CultureInfo.InvariantCulture,
            $"batch {Batch}: {Mib(PerItemBytes):0.#} MiB per item + {Mib(FixedBytes):0} MiB fixed (probes {string.Join(", ", Probes.Select(q => $"{q.Batch} → {Mib(q.PeakBytes):0} MiB"))}), "
            + $"predicted peak {Mib(PredictedPeakBytes(Batch)):0} MiB of a {Mib(BudgetBytes):0} MiB budget ({Mib(HeadroomBytes):0} MiB free){(CappedByMax ? ", capped" : "")}");

    private static double Mib(long bytes) => bytes / 1048576.0;
}
