using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Portal.Engine.Metric;
using Portal.Engine.Progress;
using Portal.Engine.Runtime.Memory;
using Portal.Web.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Worker.Execution;

/// <summary>
/// How this worker picks a batch size for an encoder: Worker:BatchSize when set, else 16 on cpu; on cuda, or when
/// Worker:BatchSize is 0, the largest batch whose peak, measured here with the encoder (<see cref="BatchSizer"/>), fits
/// Worker:BatchMemoryFraction of the free memory (host RAM under the cgroup limit and Worker:MaxMemoryGiB for cpu). A
/// measurement is kept for the process per architecture, input size and device; a failed one falls back to 16 and says why.
/// </summary>
public sealed class WorkerBatchSizing(IOptions<PortalOptions> options)
{
    /// <summary>Items per batch on a cpu worker with nothing configured, and when a measurement fails.</summary>
    public const int CpuDefault = 16;

    private readonly ConcurrentDictionary<string, BatchSizeChoice> _measured = new(StringComparer.Ordinal);

    /// <summary>The gauge of a device's memory (with the host cap); tests put a fake here.</summary>
    internal Func<Device, long?, IMemoryGauge> GaugeFor { get; init; } = MemoryGauges.For;

    /// <summary>A batch for work that is not sized from memory (inversion's seeds): the configured one, else the cpu default.</summary>
    public (int Size, string How) Configured() => Setting() is { } n and > 0 ? (n, Configuration) : (CpuDefault, "the default");

    private const string Configuration = "configured (Worker:BatchSize)";

    /// <summary>Worker:BatchSize, refused when negative (whatever reads it).</summary>
    private int? Setting() => options.Value.Worker.BatchSize is < 0 and var bad
        ? throw new InvalidOperationException($"Portal:Worker:BatchSize must be unset, 0 (size it from memory) or a positive number of items; this worker has {bad}")
        : options.Value.Worker.BatchSize;

    public (int Size, string How) Choose(IPerceptualModel model, IProgress<EvaluationProgress>? progress)
    {
        var w = options.Value.Worker;
        var setting = Setting();
        bool sized = setting == 0 || (setting is null && model.Device.type == DeviceType.CUDA);
        if (!sized) return setting is { } n ? (n, Configuration) : (CpuDefault, "a cpu worker's default (Worker:BatchSize=0 would size it from memory)");
        var p = model.Preprocessing;
        var key = $"{model.Name}|{p.ImageHeight}x{p.ImageWidth}|{model.Device}|{w.BatchMemoryFraction}|{w.MaxBatchSize}";
        if (_measured.TryGetValue(key, out var kept))
            return (kept.Batch, "sized from memory: " + kept.Describe() + " (measured by this worker for an earlier job)");

        progress?.Report(new EvaluationProgress("sizing the batch from memory", 0, 0, null, null, null));
        long? cap = w.MaxMemoryGiB > 0 ? (long)(w.MaxMemoryGiB * (1L << 30)) : null;
        BatchSizeChoice choice;
        try
        {
            choice = BatchSizer.Choose(GaugeFor(model.Device, cap), BatchSizer.AttackStep(model),
                new BatchSizerOptions { Fraction = w.BatchMemoryFraction, Max = Math.Max(1, w.MaxBatchSize) });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            return (CpuDefault, $"{CpuDefault}: the batch could not be sized from memory ({e.Message})");
        }
        // Only a measurement is worth keeping; a failed one is tried again by the next job.
        if (choice.Problem is not null) return (CpuDefault, $"{CpuDefault}: {choice.Describe()}");
        _measured[key] = choice;
        return (choice.Batch, "sized from memory: " + choice.Describe());
    }
}
