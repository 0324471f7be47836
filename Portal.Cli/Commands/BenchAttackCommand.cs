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
/// `portal bench attack [--models convnext_base_w,vit-b32,vit-b16,dino-vitb16] [--checkpoint F ...] [--batch 8] [--iters 10] [--eps 4/255] [--norm linf] [--device cpu]`:
/// APGD speed on random 224×224 triplets for the native architectures at full size with random weights and any
/// checkpoint given, and the speed-up of the task's strategy (candidate embeddings cached, only
/// clean-correct triplets attacked, fooled ones dropped) over attacking every triplet for every iteration with the
/// candidates re-embedded at each step.
/// </summary>
public sealed class BenchAttackCommand : ICommand
{
    public string[] Path => ["bench", "attack"];
    public string Summary => "APGD iterations/s per architecture, and the caching + dropping speed-up";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "allow-torchscript", "force" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoints = (args.Get("checkpoint") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        // Full-size native architectures with random weights; none when only checkpoints are asked for.
        var randomArchs = (args.Get("models") ?? (checkpoints.Length > 0 ? "" : string.Join(',', RandomEncoders.Names)))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = randomArchs.Where(a => !RandomEncoders.Names.Contains(a)).ToList();
        if (unknown.Count > 0) throw new CliException($"unknown --models {string.Join(", ", unknown)} (known: {string.Join(", ", RandomEncoders.Names)})");
        var batch = args.Int("batch", 8);
        var iters = args.Int("iters", 10);
        var norm = ApgdOptions.ParseNorm(args.Get("norm") ?? "linf");
        var eps = args.Double("eps", norm == ThreatNorm.L2 ? 3.0 : 4.0 / 255);
        var threads = args.Int("threads", 0);
        var device = Devices.Parse(args.Get("device"));
        var load = new EncoderLoadOptions { AllowTorchScript = args.Flag("allow-torchscript"), Force = args.Flag("force"), Device = device, Architecture = args.Get("arch") };
        args.EnsureAllUsed();
        if (threads > 0) torch.set_num_threads(threads);

        var rows = new List<object>();
        var models = new List<(string Name, Func<IPerceptualModel> Open)>();
        foreach (var a in randomArchs)
            models.Add(($"random:{a}", () => new EncoderMetric(RandomEncoders.Create(a, device))));
        foreach (var c in checkpoints) models.Add((c, () => Eval2AfcCommand.OpenModel(c, load, device, out _)));
        foreach (var (name, open) in models)
        {
            ct.ThrowIfCancellationRequested();
            using var model = open();
            rows.Add(Measure(name, model, batch, iters, new ApgdOptions { Norm = norm, Eps = eps, Iterations = iters }, ct));
        }
        JsonOut.Write(new { device = device.ToString(), threads = torch.get_num_threads(), batch, iterations = iters, norm = ApgdOptions.NormName(norm), eps, results = rows });
        return Task.FromResult(0);
    }

    private static object Measure(string name, IPerceptualModel model, int batch, int iters, ApgdOptions o, CancellationToken ct)
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
        using (torch.no_grad()) { e0 = model.Embed(x0); e1 = model.Embed(x1); }   // also warms up
        var all = torch.arange(batch, ScalarType.Int64, model.Device);

        // Naive: every triplet, every iteration, candidates re-embedded inside the objective.
        AttackObjective naive = (x, idx) =>
        {
            Tensor a, b;
            using (torch.no_grad()) { a = model.Embed(x0.index_select(0, idx)); b = model.Embed(x1.index_select(0, idx)); }
            return TwoAfcAttack.Objective(model, a, b, label.index_select(0, idx))(x, torch.arange(idx.shape[0], ScalarType.Int64, model.Device));
        };
        var sw = Stopwatch.StartNew();
        using (Apgd.Run(naive, refs, keys, o with { DropSucceeded = false }, ct)) { }
        double naiveSeconds = sw.Elapsed.TotalSeconds;

        // Pure attack throughput: cached candidates, all items kept for all iterations.
        sw.Restart();
        long gradEvals;
        using (var r = TwoAfcAttack.Run(model, refs, e0, e1, label, keys, o with { DropSucceeded = false }, ct)) gradEvals = r.GradientEvaluations;
        double fullSeconds = sw.Elapsed.TotalSeconds;

        // The task's strategy: clean-correct only, cached candidates, fooled triplets dropped.
        sw.Restart();
        bool[] correct;
        using (torch.no_grad())
            correct = TwoAfcScoring.Correct(TwoAfcScoring.Logits(model, model.Embed(refs), e0, e1), label).cpu().data<bool>().ToArray();
        var idxs = torch.tensor(Enumerable.Range(0, batch).Where(i => correct[i]).Select(i => (long)i).ToArray()).to(model.Device);
        long taskGradEvals = 0;
        int robust = 0;
        if (idxs.shape[0] > 0)
        {
            using var r = TwoAfcAttack.Run(model, refs.index_select(0, idxs), e0.index_select(0, idxs), e1.index_select(0, idxs), label.index_select(0, idxs),
                keys.Where((_, i) => correct[i]).ToArray(), o, ct);
            taskGradEvals = r.GradientEvaluations;
            robust = (int)r.Success.logical_not().sum().item<long>();
        }
        double taskSeconds = sw.Elapsed.TotalSeconds;

        return new
        {
            model = name,
            embedding_dim = e0.shape[1],
            input = $"{p.ImageHeight}x{p.ImageWidth}",
            apgd_batch_iterations_per_second = iters / fullSeconds,
            apgd_item_iterations_per_second = gradEvals / fullSeconds,
            naive_seconds = naiveSeconds,
            cached_all_items_seconds = fullSeconds,
            task_strategy_seconds = taskSeconds,
            clean_correct = correct.Count(c => c),
            robust_after_attack = robust,
            task_gradient_evaluations = taskGradEvals,
            speedup_caching = naiveSeconds / fullSeconds,
            speedup_caching_and_dropping = naiveSeconds / taskSeconds,
        };
    }
}
