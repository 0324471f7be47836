using System.Diagnostics;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using Portal.Engine.Runtime.Memory;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal bench encoders`: images/s of each native architecture at full size with random weights, forward
/// (no_grad) and forward+backward w.r.t. the input (what an attack step costs), at 224×224, plus the process's
/// peak RSS. Table on stderr, JSON on stdout. Speed targets live here, never in unit tests.
/// </summary>
public sealed class BenchEncodersCommand : ICommand
{
    public string[] Path => ["bench", "encoders"];
    public string Summary => "images/s forward and forward+backward of the native encoders (random weights)";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var batches = (args.Get("batches") ?? "1,8,32").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => int.TryParse(b, out var n) && n > 0 ? n : throw new CliException($"--batches expects positive integers, got '{b}'")).ToArray();
        int reps = args.Int("reps", 5);
        int threads = args.Int("threads", Environment.ProcessorCount);
        var archFilter = args.Get("arch")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        args.EnsureAllUsed();
        if (reps < 1) throw new CliException("--reps must be at least 1");
        if (threads < 1) throw new CliException("--threads must be at least 1");
        var unknown = archFilter?.Where(a => !RandomEncoders.Names.Contains(a)).ToList();
        if (unknown is { Count: > 0 }) throw new CliException($"unknown --arch {string.Join(", ", unknown)} (known: {string.Join(", ", RandomEncoders.Names)})");

        torch.set_num_threads(threads);
        var rows = new List<object>();
        var rss = new HostMemoryGauge();   // peak RSS: VmHWM, reset per architecture
        Console.Error.WriteLine($"{"arch",-16} {"batch",5} {"fwd img/s",10} {"fwd ms",9} {"f+b img/s",10} {"f+b ms",9} {"peak RSS MiB",13}");
        foreach (var arch in RandomEncoders.All.Where(a => archFilter is null || archFilter.Contains(a.Name)))
        {
            rss.BeginWindow();
            using var encoder = RandomEncoders.Create(arch.Name, CPU);
            var spec = arch.Spec();
            foreach (var batch in batches)
            {
                ct.ThrowIfCancellationRequested();
                using var x = torch.rand(batch, 3, 224, 224, generator: new Generator(1));
                double fwd = MedianSeconds(reps, () => { using var s = torch.NewDisposeScope(); using var _ = torch.no_grad(); encoder.Forward(x); });
                double bwd = MedianSeconds(reps, () =>
                {
                    using var s = torch.NewDisposeScope();
                    var xi = x.clone().requires_grad_(true);
                    torch.autograd.grad([encoder.Forward(xi).square().sum()], [xi]);
                });
                long peak = rss.PeakBytes();
                Console.Error.WriteLine($"{arch.Name,-16} {batch,5} {batch / fwd,10:F2} {fwd * 1000,9:F0} {batch / bwd,10:F2} {bwd * 1000,9:F0} {peak >> 20,13}");
                rows.Add(new
                {
                    arch = arch.Name, size = spec.SizeName, parameters = encoder.Info.ParameterCount, batch, image_size = 224,
                    forward_images_per_s = batch / fwd, forward_ms = fwd * 1000,
                    forward_backward_images_per_s = batch / bwd, forward_backward_ms = bwd * 1000,
                    peak_rss_mib = peak >> 20,
                });
            }
        }
        JsonOut.Write(new { threads, reps, libtorch = torch.__version__, statistic = "median after one warm-up run", results = rows });
        return Task.FromResult(0);
    }

    private static double MedianSeconds(int reps, Action run)
    {
        run(); // warm-up (allocator, oneDNN primitive caches)
        var times = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
    }
}
