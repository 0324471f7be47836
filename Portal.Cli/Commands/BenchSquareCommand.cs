using System.Diagnostics;
using Portal.Engine.Attacks;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using Portal.Engine.Metric;
using Portal.Engine.Runtime;
using Portal.Engine.TwoAfc;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal bench square [--models convnext_base_w,vit-b32,vit-b16,dino-vitb16] [--checkpoint F ...] [--batch 16] [--queries 10]
/// [--reps 3] [--eps 4/255] [--norm linf] [--threads N] [--device cpu] [--task]`: Square Attack speed on random 224×224 triplets for the
/// native architectures at full size with random weights and any checkpoint given: item-queries/s with every item
/// queried at every iteration, next to the time of the same number of bare forward passes (the attack's own overhead),
/// the two timed alternately `--reps` times and reported as medians (the machine may be shared);
/// with `--task`, also the task's strategy (clean-correct triplets only, fooled ones stop being queried) and the queries
/// it needed per broken triplet.
/// </summary>
public sealed class BenchSquareCommand : ICommand
{
    public string[] Path => ["bench", "square"];
    public string Summary => "Square Attack queries/s per architecture, and its overhead over bare forward passes";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "allow-torchscript", "force", "task" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoints = (args.Get("checkpoint") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var randomArchs = (args.Get("models") ?? (checkpoints.Length > 0 ? "" : "convnext_base_w,vit-b32,vit-b16,dino-vitb16"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = randomArchs.Where(a => !RandomEncoders.Names.Contains(a)).ToList();
        if (unknown.Count > 0) throw new CliException($"unknown --models {string.Join(", ", unknown)} (known: {string.Join(", ", RandomEncoders.Names)})");
        var batch = args.Int("batch", 16);
        var queries = args.Int("queries", 10);
        var reps = args.Int("reps", 3);
        var norm = ApgdOptions.ParseNorm(args.Get("norm") ?? "linf");
        var eps = args.Double("eps", norm == ThreatNorm.L2 ? 3.0 : 4.0 / 255);
        var threads = args.Int("threads", 0);
        var task = args.Flag("task");
        var device = Devices.Parse(args.Get("device"));
        var load = new EncoderLoadOptions { AllowTorchScript = args.Flag("allow-torchscript"), Force = args.Flag("force"), Device = device, Architecture = args.Get("arch") };
        args.EnsureAllUsed();
        if (batch < 1 || queries < 1 || reps < 1) throw new CliException("--batch, --queries and --reps must be at least 1");
        if (threads > 0) torch.set_num_threads(threads);

        // The attack's own cost per iteration, without a model: a trivial objective on a batch of 224×224 images.
        var bookkeeping = Bookkeeping(batch, new SquareOptions { Norm = norm, Eps = eps, Queries = Math.Max(queries, 20) }, reps, device, ct);
        var rows = new List<object>();
        var models = new List<(string Name, Func<IPerceptualModel> Open)>();
        foreach (var a in randomArchs)
            models.Add(($"random:{a}", () => new EncoderMetric(RandomEncoders.Create(a, device))));
        foreach (var c in checkpoints) models.Add((c, () => Eval2AfcCommand.OpenModel(c, load, device, out _)));
        foreach (var (name, open) in models)
        {
            ct.ThrowIfCancellationRequested();
            using var model = open();
            rows.Add(Measure(name, model, batch, new SquareOptions { Norm = norm, Eps = eps, Queries = queries }, reps, task, ct));
            Console.Error.WriteLine($"[bench square] {name} done");
        }
        JsonOut.Write(new
        {
            device = device.ToString(), threads = torch.get_num_threads(), batch, queries, reps, norm = ApgdOptions.NormName(norm), eps,
            bookkeeping_ms_per_iteration = bookkeeping, results = rows,
        });
        return Task.FromResult(0);
    }

    /// <summary>Median milliseconds per Square iteration at batch N, 224×224, with a free objective (the mean pixel).</summary>
    private static double Bookkeeping(int batch, SquareOptions o, int reps, Device device, CancellationToken ct)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.rand([batch, 3, 224, 224], generator: new torch.Generator(7, CPU)).to(device);
        var keys = ItemSeed.For(0, Enumerable.Range(0, batch).Select(i => "bookkeeping" + i));
        AttackObjective free = (z, _) => new ObjectiveValue(z.mean([1, 2, 3]), null);
        using (Square.Run(free, x, keys, o with { Queries = 2 }, ct)) { }   // warm-up
        var runs = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            using (Square.Run(free, x, keys, o, ct)) { }
            runs.Add(sw.Elapsed.TotalMilliseconds / o.Queries);
        }
        return Median(runs);
    }

    private static double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }

    private static object Measure(string name, IPerceptualModel model, int batch, SquareOptions o, int reps, bool task, CancellationToken ct)
    {
        using var scope = torch.NewDisposeScope();
        var p = model.Preprocessing;
        var g = new torch.Generator(1234, CPU);
        var refs = torch.rand([batch, 3, p.ImageHeight, p.ImageWidth], generator: g).to(model.Device);
        var x0 = (refs + 0.2 * (torch.rand(refs.shape, generator: g).to(model.Device) - 0.5)).clamp(0, 1);
        var x1 = (refs + 0.2 * (torch.rand(refs.shape, generator: g).to(model.Device) - 0.5)).clamp(0, 1);
        var label = torch.randint(0, 2, [batch], generator: g, dtype: ScalarType.Int64).to(model.Device);
        var keys = ItemSeed.For(0, Enumerable.Range(0, batch).Select(i => "bench" + i));
        Tensor e0, e1;
        using (torch.no_grad()) { e0 = model.Embed(x0); e1 = model.Embed(x1); }   // cached candidates; also warms up

        var objective = TwoAfcAttack.Objective(model, e0, e1, label);
        AttackObjective everyItem = (x, idx) => objective(x, idx) with { Success = null };
        var forwardRuns = new List<double>();
        var attackRuns = new List<double>();
        long total = 0;
        var sw = new Stopwatch();
        for (int rep = 0; rep < reps; rep++)
        {
            // Bare forward passes of the batch, as many as the attack makes (its initial point + one per iteration).
            sw.Restart();
            using (torch.no_grad())
                for (int i = 0; i <= o.Queries; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    using var s = torch.NewDisposeScope();
                    TwoAfcScoring.Logits(model, model.Embed(refs), e0, e1).cpu();
                }
            forwardRuns.Add(sw.Elapsed.TotalSeconds);

            // Throughput: every item queried at every iteration (no success flags, so nobody stops early).
            sw.Restart();
            using (var r = Square.Run(everyItem, refs, keys, o, ct)) total = r.TotalQueries;
            attackRuns.Add(sw.Elapsed.TotalSeconds);
        }
        double forwardSeconds = Median(forwardRuns), attackSeconds = Median(attackRuns);

        object? strategy = null;
        if (task)
        {
            sw.Restart();
            bool[] correct;
            using (torch.no_grad())
                correct = TwoAfcScoring.Correct(TwoAfcScoring.Logits(model, model.Embed(refs), e0, e1), label).cpu().data<bool>().ToArray();
            var kept = Enumerable.Range(0, batch).Where(i => correct[i]).ToArray();
            int broken = 0;
            long taskQueries = 0;
            double? meanBroken = null;
            if (kept.Length > 0)
            {
                var idx = torch.tensor(kept.Select(i => (long)i).ToArray()).to(model.Device);
                using var r = TwoAfcAttack.RunSquare(model, refs.index_select(0, idx), e0.index_select(0, idx), e1.index_select(0, idx),
                    label.index_select(0, idx), kept.Select(i => keys[i]).ToArray(), o, ct);
                var s = r.Success.cpu().data<bool>().ToArray();
                broken = s.Count(b => b);
                taskQueries = r.TotalQueries;
                meanBroken = broken > 0 ? r.Queries.Where((_, i) => s[i]).Average() : null;
            }
            strategy = new
            {
                seconds = sw.Elapsed.TotalSeconds,
                clean_correct = kept.Length,
                broken,
                mean_queries_broken = meanBroken,
                queries = taskQueries,
            };
        }

        return new
        {
            model = name,
            embedding_dim = e0.shape[1],
            input = $"{p.ImageHeight}x{p.ImageWidth}",
            item_queries = total,
            attack_seconds = attackSeconds,
            item_queries_per_second = total / attackSeconds,
            batch_queries_per_second = (o.Queries + 1) / attackSeconds,
            forward_only_seconds = forwardSeconds,
            forward_only_item_queries_per_second = (long)batch * (o.Queries + 1) / forwardSeconds,
            attack_overhead = attackSeconds / forwardSeconds - 1,
            attack_seconds_runs = attackRuns,
            forward_only_seconds_runs = forwardRuns,
            task_strategy = strategy,
        };
    }
}
