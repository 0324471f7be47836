using System.Globalization;
using Portal.Engine.Encoders.Native;
using Portal.Engine.Metric;
using Portal.Engine.Runtime;
using Portal.Engine.Runtime.Memory;
using TorchSharp;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal bench batch [--arch a,b] [--device cpu|cuda] [--budget-mib N] [--fraction 0.8] [--max 256] [--probes 2,6]
/// [--threads N]`: the batch size a worker with Worker:BatchSize=0 would choose for each native architecture (random
/// weights, 224×224), then one attack step at that size with its measured peak beside the predicted one. --budget-mib
/// caps the headroom (to check the fit on a machine with more memory than a GPU). Table on stderr, JSON on stdout.
/// </summary>
public sealed class BenchBatchCommand : ICommand
{
    public string[] Path => ["bench", "batch"];
    public string Summary => "batch size chosen from memory per native encoder, and the measured peak at that size";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var archFilter = args.Get("arch")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var device = Devices.Parse(args.Get("device"));
        var budgetText = args.Get("budget-mib");
        var probesText = args.Get("probes");
        var options = new BatchSizerOptions
        {
            Fraction = args.Double("fraction", 0.8),
            Max = args.Int("max", 256),
            Probes = probesText is null ? new BatchSizerOptions().Probes
                : probesText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new CliException($"--probes expects positive integers, got '{p}'")).ToList(),
        };
        int threads = args.Int("threads", 0);
        args.EnsureAllUsed();
        long? budget = budgetText is null ? null
            : long.TryParse(budgetText, NumberStyles.None, CultureInfo.InvariantCulture, out var mib) && mib > 0 ? mib << 20
            : throw new CliException($"--budget-mib expects a positive integer, got '{budgetText}'");
        try { options.Validate(); } catch (ArgumentException e) { throw new CliException(e.Message); }
        var unknown = archFilter?.Where(a => !RandomEncoders.Names.Contains(a)).ToList();
        if (unknown is { Count: > 0 }) throw new CliException($"unknown --arch {string.Join(", ", unknown)} (known: {string.Join(", ", RandomEncoders.Names)})");
        if (threads < 0) throw new CliException("--threads must be ≥ 0");
        if (threads > 0) torch.set_num_threads(threads);

        var rows = new List<object>();
        Console.Error.WriteLine($"{"arch",-20} {"MiB/item",9} {"fixed MiB",10} {"budget MiB",11} {"batch",6} {"predicted MiB",14} {"measured MiB",13} {"meas/pred",10}");
        foreach (var arch in RandomEncoders.All.Where(a => archFilter is null || archFilter.Contains(a.Name)))
        {
            ct.ThrowIfCancellationRequested();
            var gauge = budget is { } b ? new BudgetGauge(MemoryGauges.For(device), b) : MemoryGauges.For(device);
            using var model = new EncoderMetric(RandomEncoders.Create(arch.Name, device));
            var step = BatchSizer.AttackStep(model);
            var choice = BatchSizer.Choose(gauge, step, options);
            long? measured = null;
            if (choice.Problem is null)
            {
                gauge.BeginWindow();
                step(choice.Batch);
                measured = Math.Max(0, gauge.PeakBytes() - choice.StartBytes);
            }
            double predicted = choice.PredictedPeakBytes(choice.Batch);
            Console.Error.WriteLine(choice.Problem is { } p ? $"{arch.Name,-20} {p}" : string.Create(CultureInfo.InvariantCulture,
                $"{arch.Name,-20} {Mib(choice.PerItemBytes),9:F1} {Mib(choice.FixedBytes),10:F0} {Mib(choice.BudgetBytes),11:F0} {choice.Batch,6} {Mib((long)predicted),14:F0} {Mib(measured!.Value),13:F0} {measured.Value / predicted,10:F2}"));
            rows.Add(new
            {
                arch = arch.Name, image_size = 224, batch = choice.Batch, per_item_mib = Mib(choice.PerItemBytes), fixed_mib = Mib(choice.FixedBytes),
                headroom_mib = Mib(choice.HeadroomBytes), budget_mib = Mib(choice.BudgetBytes), capped = choice.CappedByMax,
                probes = choice.Probes.Select(q => new { batch = q.Batch, peak_mib = Mib(q.PeakBytes) }),
                predicted_peak_mib = Mib((long)predicted), measured_peak_mib = measured is { } m ? Mib(m) : (double?)null,
                problem = choice.Problem, description = choice.Describe(),
            });
        }
        JsonOut.Write(new { device = device.ToString(), gauge = MemoryGauges.For(device).What, fraction = options.Fraction, max = options.Max, libtorch = torch.__version__, results = rows });
        return Task.FromResult(0);
    }

    private static double Mib(long bytes) => bytes / 1048576.0;

    /// <summary>The device's gauge with its headroom capped at a budget of the caller's.</summary>
    private sealed class BudgetGauge(IMemoryGauge inner, long budget) : IMemoryGauge
    {
        public string What => $"{inner.What}, headroom capped at {budget >> 20} MiB";
        public long HeadroomBytes() => Math.Min(inner.HeadroomBytes(), budget);
        public long InUseBytes() => inner.InUseBytes();
        public bool BeginWindow() => inner.BeginWindow();
        public long PeakBytes() => inner.PeakBytes();
    }
}
