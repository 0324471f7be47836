using Portal.Engine.Metric;
using Portal.Engine.Runtime.Memory;
using Portal.Tests.Support;
using TorchSharp;
using static Portal.Tests.Runtime.Memory.FakeMemoryGauge;

namespace Portal.Tests.Runtime.Memory;

public class BatchSizerTests
{
    [Fact]
    public void A_linear_peak_gives_the_largest_batch_under_the_budget_rounded_to_eight()
    {
        // 50 MiB fixed + 10 MiB per item; 1000 MiB free × 0.8 → (800 − 50) / 10 = 75 items → 72.
        var gauge = new FakeMemoryGauge(1000 * Mib, b => 50 * Mib + 10 * Mib * b);
        var choice = BatchSizer.Choose(gauge, gauge.Take);
        Assert.Null(choice.Problem);
        Assert.Equal(72, choice.Batch);
        Assert.Equal(10 * Mib, choice.PerItemBytes);
        Assert.Equal(50 * Mib, choice.FixedBytes);
        Assert.Equal(800 * Mib, choice.BudgetBytes);
        Assert.Equal(100 * Mib, choice.StartBytes);
        Assert.True(choice.PredictedPeakBytes(choice.Batch) <= choice.BudgetBytes);
        // The warm-up before the window, the two probes, then one more at half the first choice (72 / 2).
        Assert.Equal([2, 2, 6, 36], gauge.Batches);
        Assert.Equal([2, 6, 36], choice.Probes.Select(p => p.Batch));
        Assert.Equal(1, gauge.Windows);
        Assert.StartsWith("batch 72: 10 MiB per item + 50 MiB fixed", choice.Describe());
    }

    [Fact]
    public void The_probe_at_half_the_first_estimate_corrects_a_slope_that_small_batches_overstate()
    {
        // 20 MiB per item up to 6 items, then 60 + 10 MiB per item: the first two probes overstate the slope twofold.
        long Peak(int b) => b <= 6 ? 20 * Mib * b : 60 * Mib + 10 * Mib * b;
        var gauge = new FakeMemoryGauge(1000 * Mib, Peak);
        var first = BatchSizer.Choose(gauge, gauge.Take, new BatchSizerOptions { Refine = false });
        Assert.Equal(40, first.Batch);
        var refined = BatchSizer.Choose(gauge, gauge.Take);
        Assert.True(refined.Batch > first.Batch, $"{refined.Batch}");
        Assert.True(Peak(refined.Batch) <= refined.BudgetBytes, $"true peak {Peak(refined.Batch) / Mib} MiB at {refined.Batch}");
    }

    [Fact]
    public void The_cap_and_a_budget_below_one_item_bound_the_choice()
    {
        var roomy = new FakeMemoryGauge(1_000_000 * Mib, b => Mib * b);
        var capped = BatchSizer.Choose(roomy, roomy.Take, new BatchSizerOptions { Max = 32 });
        Assert.Equal(32, capped.Batch);
        Assert.True(capped.CappedByMax);
        Assert.EndsWith(", capped", capped.Describe());

        var tight = new FakeMemoryGauge(10 * Mib, b => 100 * Mib * b);
        Assert.Equal(1, BatchSizer.Choose(tight, tight.Take).Batch);
    }

    [Fact]
    public void A_peak_that_does_not_grow_is_reported_not_guessed()
    {
        var flat = new FakeMemoryGauge(1000 * Mib, _ => 30 * Mib);
        var choice = BatchSizer.Choose(flat, flat.Take);
        Assert.Equal(0, choice.Batch);
        Assert.Contains("did not grow between 2 and 6 items", choice.Problem);
        Assert.StartsWith("batch size not measured", choice.Describe());
    }

    [Theory]
    [InlineData(new[] { 6, 2 }, 0.8, 256)]
    [InlineData(new[] { 2 }, 0.8, 256)]
    [InlineData(new[] { 0, 2 }, 0.8, 256)]
    [InlineData(new[] { 2, 6 }, 0.0, 256)]
    [InlineData(new[] { 2, 6 }, 1.5, 256)]
    [InlineData(new[] { 2, 6 }, 0.8, 0)]
    public void Nonsense_options_are_refused(int[] probes, double fraction, int max)
    {
        var gauge = new FakeMemoryGauge(1000 * Mib, b => Mib * b);
        Assert.Throws<ArgumentException>(() => BatchSizer.Choose(gauge, gauge.Take, new BatchSizerOptions { Probes = probes, Fraction = fraction, Max = max }));
        Assert.Empty(gauge.Batches);
    }

    [Fact]
    public void The_host_gauge_measures_what_a_step_keeps_resident()
    {
        // Each step holds 8 MiB of touched float32 per item until it ends: the fit must find about that.
        var gauge = new HostMemoryGauge();
        Assert.True(gauge.HeadroomBytes() > 0);
        var choice = BatchSizer.Choose(gauge, b =>
        {
            using var scope = torch.NewDisposeScope();
            var held = Enumerable.Range(0, b).Select(_ => torch.ones(2 * 1024 * 1024)).ToList();
            Assert.Equal(b, held.Count);
        }, new BatchSizerOptions { Max = 12 });
        Assert.Null(choice.Problem);
        Assert.InRange(choice.PerItemBytes / (double)Mib, 6, 11);
        Assert.Equal(12, choice.Batch);   // capped: this machine has far more than 12 × 8 MiB free
    }

    [Fact]
    public void The_attack_step_runs_the_model_forward_and_backward_at_its_input_size()
    {
        var encoder = new TinyConvEncoder(seed: 3, size: 24);
        using var model = new EncoderMetric(encoder);
        BatchSizer.AttackStep(model)(5);
        Assert.Equal(1, encoder.Calls);
    }
}
