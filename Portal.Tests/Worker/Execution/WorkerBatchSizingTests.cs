using Microsoft.Extensions.Options;
using Portal.Engine.Encoders;
using Portal.Engine.Metric;
using Portal.Tests.Runtime.Memory;
using Portal.Tests.Support;
using Portal.Web.Configuration;
using Portal.Worker.Execution;
using TorchSharp;
using static Portal.Tests.Runtime.Memory.FakeMemoryGauge;
using static TorchSharp.torch;

namespace Portal.Tests.Worker.Execution;

public class WorkerBatchSizingTests
{
    /// <summary>A real model whose every forward pass tells the fake gauge how many items it held.</summary>
    private sealed class MeteredModel(FakeMemoryGauge gauge) : IPerceptualModel
    {
        private readonly EncoderMetric _inner = new(new TinyConvEncoder(seed: 1, size: 16));
        public int Forwards;
        public string Name => _inner.Name;
        public Preprocessing Preprocessing => _inner.Preprocessing;
        public Device Device => _inner.Device;
        public Tensor Embed(Tensor pixels) { Forwards++; gauge.Take((int)pixels.shape[0]); return _inner.Embed(pixels); }
        public Tensor Similarity(Tensor a, Tensor b) => _inner.Similarity(a, b);
        public void Dispose() => _inner.Dispose();
    }

    private static WorkerBatchSizing Sizing(int? batchSize, FakeMemoryGauge gauge, double maxMemoryGiB = 0) =>
        new(Options.Create(new PortalOptions { Worker = new WorkerOptions { BatchSize = batchSize, MaxMemoryGiB = maxMemoryGiB } }))
        {
            GaugeFor = (device, cap) => { Assert.Equal(DeviceType.CPU, device.type); Assert.Equal(maxMemoryGiB > 0 ? (long)(maxMemoryGiB * (1L << 30)) : null, cap); return gauge; },
        };

    [Fact]
    public void Zero_sizes_the_batch_from_memory_once_per_architecture_and_says_how()
    {
        var gauge = new FakeMemoryGauge(1000 * Mib, b => 50 * Mib + 10 * Mib * b);
        using var model = new MeteredModel(gauge);
        var sizing = Sizing(0, gauge, maxMemoryGiB: 2);
        var (size, how) = sizing.Choose(model, null);
        Assert.Equal(72, size);
        Assert.StartsWith("sized from memory: batch 72: 10 MiB per item + 50 MiB fixed", how);
        int forwards = model.Forwards;
        Assert.True(forwards >= 3);

        // The next job of this architecture reuses the measurement: no forward pass, and it says where the size came from.
        var again = sizing.Choose(model, null);
        Assert.Equal(72, again.Size);
        Assert.EndsWith("(measured by this worker for an earlier job)", again.How);
        Assert.Equal(forwards, model.Forwards);
    }

    [Fact]
    public void A_cpu_worker_without_a_setting_keeps_sixteen_and_a_setting_wins()
    {
        var gauge = new FakeMemoryGauge(1000 * Mib, b => 10 * Mib * b);
        using var model = new MeteredModel(gauge);
        Assert.Equal((16, "a cpu worker's default (Worker:BatchSize=0 would size it from memory)"), Sizing(null, gauge).Choose(model, null));
        Assert.Equal((5, "configured (Worker:BatchSize)"), Sizing(5, gauge).Choose(model, null));
        Assert.Equal(0, model.Forwards);
        var e = Assert.Throws<InvalidOperationException>(() => Sizing(-3, gauge).Choose(model, null));
        Assert.Contains("must be unset, 0 (size it from memory) or a positive number of items; this worker has -3", e.Message);
        Assert.Equal((5, "configured (Worker:BatchSize)"), Sizing(5, gauge).Configured());
        Assert.Equal((16, "the default"), Sizing(0, gauge).Configured());
    }

    [Fact]
    public void A_measurement_that_finds_nothing_falls_back_to_sixteen_with_the_reason_and_is_tried_again()
    {
        var gauge = new FakeMemoryGauge(1000 * Mib, _ => 30 * Mib);
        using var model = new MeteredModel(gauge);
        var sizing = Sizing(0, gauge);
        var (size, how) = sizing.Choose(model, null);
        Assert.Equal(16, size);
        Assert.StartsWith("16: batch size not measured: the peak did not grow", how);
        int forwards = model.Forwards;
        sizing.Choose(model, null);
        Assert.True(model.Forwards > forwards);
    }
}
