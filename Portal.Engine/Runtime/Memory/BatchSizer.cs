using TorchSharp;
using Portal.Engine.Metric;
using static TorchSharp.torch;

namespace Portal.Engine.Runtime.Memory;

public sealed record BatchSizerOptions
{
    /// <summary>Batch sizes the step is run at, increasing; the peak's growth between the first and the last is the per-item cost.</summary>
    public IReadOnlyList<int> Probes { get; init; } = [2, 6];
    /// <summary>Share of the headroom the predicted peak may take (the rest: the attack's own state, fragmentation, other tenants).</summary>
    public double Fraction { get; init; } = 0.8;
    /// <summary>Never more than this many items per batch (past a few hundred a GPU gains nothing, and a resumed batch is recomputed whole).</summary>
    public int Max { get; init; } = 256;
    /// <summary>Probe once more at half the first estimate and fit through it (the slope where it is used).</summary>
    public bool Refine { get; init; } = true;

    public void Validate()
    {
        if (Probes.Count < 2 || Probes.Any(p => p < 1) || Probes.Zip(Probes.Skip(1)).Any(p => p.Second <= p.First))
            throw new ArgumentException("batch sizer probes must be at least two increasing positive sizes");
        if (Fraction is not (> 0 and <= 1)) throw new ArgumentException($"batch memory fraction must be in (0, 1], got {Fraction}");
        if (Max < 1) throw new ArgumentException($"the largest batch must be at least 1, got {Max}");
    }
}

/// <summary>
/// Chooses a batch size that fills the memory a device's work lives in, from a measured peak: the step is run at a few
/// small batch sizes (after one warm-up run) in one peak window, the peak above the starting point is fitted as fixed + per-item × batch, and the
/// largest batch whose predicted peak fits the headroom (times <see cref="BatchSizerOptions.Fraction"/>) is taken, rounded
/// down to a multiple of 8 from 64 up. An attack's randomness is per item, so the batch size does not change which
/// perturbation an item gets; float32 rounding can still differ in the last bit with the batch, so callers record the
/// size with the run and a resumed run reuses it.
/// </summary>
public static class BatchSizer
{
    public static BatchSizeChoice Choose(IMemoryGauge gauge, Action<int> step, BatchSizerOptions? options = null)
    {
        var o = options ?? new BatchSizerOptions();
        o.Validate();
        // A first run outside the window: one-time allocations (oneDNN primitives, cuDNN workspaces, lazy buffers) stay
        // for the whole job and are not the batch's; the headroom is what is left after them.
        step(o.Probes[0]);
        long headroom = gauge.HeadroomBytes();
        long budget = (long)(headroom * o.Fraction);
        var resettable = gauge.BeginWindow();
        long start = gauge.InUseBytes();
        var probes = new List<BatchProbe>();
        foreach (var b in o.Probes)
        {
            step(b);
            probes.Add(new BatchProbe(b, Math.Max(0, gauge.PeakBytes() - start)));
        }
        var fit = Fit(probes, headroom, budget, start, gauge, resettable, o);
        // Small batches overstate the per-item cost (per-batch buffers grow in steps); one more probe at half the first
        // choice measures the slope nearer where it is used. The fit through it is taken when the peak grew.
        int refine = fit.Problem is null ? fit.Batch / 2 : 0;
        if (o.Refine && refine > probes[^1].Batch)
        {
            step(refine);
            probes.Add(new BatchProbe(refine, Math.Max(0, gauge.PeakBytes() - start)));
            var refined = Fit(probes, headroom, budget, start, gauge, resettable, o);
            if (refined.Problem is null) fit = refined;
        }
        return fit;
    }

    private static BatchSizeChoice Fit(List<BatchProbe> probes, long headroom, long budget, long start, IMemoryGauge gauge, bool resettable, BatchSizerOptions o)
    {
        var (first, last) = (probes[0], probes[^1]);
        long perItem = (last.PeakBytes - first.PeakBytes) / (last.Batch - first.Batch);
        if (perItem <= 0)
            return new BatchSizeChoice(0, start, headroom, budget, 0, first.PeakBytes, probes.ToList(),
                Problem: resettable
                    ? $"the peak did not grow between {first.Batch} and {last.Batch} items ({gauge.What})"
                    : $"the peak could not be reset, and the step stayed under the process's earlier peak ({gauge.What})");
        long fixedBytes = Math.Max(0, first.PeakBytes - perItem * first.Batch);
        long fits = (budget - fixedBytes) / perItem;
        int batch = (int)Math.Clamp(fits, 1, o.Max);
        if (batch >= 64) batch -= batch % 8;   // kernels like multiples of 8; below 64 rounding would waste too much
        return new BatchSizeChoice(batch, start, headroom, budget, perItem, fixedBytes, probes.ToList(), CappedByMax: fits > o.Max);
    }

    /// <summary>
    /// One attack step of <paramref name="model"/> at <c>batch</c> items: the forward pass at its input size and the
    /// gradient of a similarity with respect to the pixels, the shape of what APGD and Square's scoring cost per iteration.
    /// </summary>
    public static Action<int> AttackStep(IPerceptualModel model)
    {
        var (h, w) = (model.Preprocessing.ImageHeight, model.Preprocessing.ImageWidth);
        if (h < 1 || w < 1) throw new ArgumentException($"{model.Name} has no fixed input size ({h}×{w}); its batch cannot be sized");
        return batch =>
        {
            using var scope = torch.NewDisposeScope();
            // Constant pixels: the memory a step takes does not depend on the values, and no random generator is touched.
            var x = torch.full([batch, 3, h, w], 0.5f, ScalarType.Float32, model.Device).requires_grad_(true);
            var e = model.Embed(x);
            var loss = model.Similarity(e, e.detach()).sum();
            torch.autograd.grad([loss], [x]);
        };
    }
}
