using System.Diagnostics;
using Portal.Engine.Attacks;
using Portal.Engine.Encoders;
using Portal.Engine.Metric;
using Portal.Engine.Runtime;
using Portal.Engine.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal bench attack [--checkpoint F ...] [--batch 8] [--iters 10] [--eps 4/255] [--norm linf] [--device cpu]`:
/// APGD speed on random 224×224 triplets for the built-in random conv encoder and any checkpoint given (full-size
/// architectures with random weights), and the speed-up of the task's strategy (candidate embeddings cached, only
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
        var models = new List<(string Name, Func<IPerceptualModel> Open)> { ("builtin:random-conv", () => new EncoderMetric(new RandomConvEncoder(device))) };
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

    /// <summary>
    /// A ConvNeXt-sized stand-in (≈ 4 stages, 224×224 input, random weights) so the benchmark runs without a checkpoint.
    /// </summary>
    private sealed class RandomConvEncoder : IImageEncoder
    {
        private readonly nn.Module<Tensor, Tensor> _net;
        public Device Device { get; }

        public RandomConvEncoder(Device device)
        {
            torch.manual_seed(0);
            Device = device;
            var layers = new List<nn.Module<Tensor, Tensor>> { nn.Conv2d(3, 96, 4, stride: 4) };
            int[] widths = [96, 192, 384, 768];
            for (int s = 0; s < widths.Length; s++)
            {
                for (int b = 0; b < 2; b++) { layers.Add(nn.Conv2d(widths[s], widths[s], 3, padding: 1)); layers.Add(nn.GELU()); }
                if (s + 1 < widths.Length) layers.Add(nn.Conv2d(widths[s], widths[s + 1], 2, stride: 2));
            }
            layers.Add(nn.AdaptiveAvgPool2d(1)); layers.Add(nn.Flatten()); layers.Add(nn.Linear(768, 640));
            _net = nn.Sequential(layers.ToArray());
            foreach (var prm in _net.parameters()) prm.requires_grad = false;
            _net.eval();
            _net.to(device);
        }

        public EncoderInfo Info => new("random-conv", "builtin", 640, _net.parameters().Sum(p => p.numel()),
            Preprocessing.ShorterSide(224, 224, Preprocessing.OpenAiMean, Preprocessing.OpenAiStd));

        public Tensor Forward(Tensor pixels)
        {
            using var scope = torch.NewDisposeScope();
            return _net.forward(pixels * 2 - 1).MoveToOuterDisposeScope();
        }

        public void Dispose() => _net.Dispose();
    }
}
