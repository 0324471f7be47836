using Portal.Engine.Attacks;
using Portal.Engine.Metric;
using Portal.Engine.TwoAfc;
using Portal.Tests.Support;
using Portal.Tests.TwoAfc;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Attacks;

public class ApgdTests
{
    private const int N = 48;

    /// <summary>Random 2AFC batch in tensors: refs, clean candidate embeddings, labels, item keys.</summary>
    private static (Tensor Refs, Tensor E0, Tensor E1, Tensor Label, ulong[] Keys) Batch(IPerceptualModel model, int n, int size, int seed, double lo = 0, double hi = 1)
    {
        var g = new torch.Generator((ulong)seed, CPU);
        var refs = lo + (hi - lo) * torch.rand([n, 3, size, size], generator: g);
        // Candidates near the reference so the triplets are neither trivial nor hopeless.
        var x0 = (refs + 0.3 * (torch.rand([n, 3, size, size], generator: g) - 0.5)).clamp(0, 1);
        var x1 = (refs + 0.3 * (torch.rand([n, 3, size, size], generator: g) - 0.5)).clamp(0, 1);
        var label = torch.randint(0, 2, [n], generator: g, dtype: ScalarType.Int64);
        Tensor e0, e1;
        using (torch.no_grad()) { e0 = model.Embed(x0); e1 = model.Embed(x1); }
        return (refs, e0, e1, label, ItemSeed.For(seed, Enumerable.Range(0, n).Select(i => "item" + i)));
    }

    private static bool[] Correct(IPerceptualModel model, Tensor x, Tensor e0, Tensor e1, Tensor label)
    {
        using var _ = torch.no_grad();
        return TwoAfcScoring.Correct(TwoAfcScoring.Logits(model, model.Embed(x), e0, e1), label).data<bool>().ToArray();
    }

    [Theory]
    [InlineData(ThreatNorm.Linf)]
    [InlineData(ThreatNorm.L2)]
    public void On_a_linear_encoder_apgd_finds_the_exact_worst_case(ThreatNorm norm)
    {
        using var model = new LinearDotModel(3 * 8 * 8, 12, seed: 3);
        // L2: keep references inside [0.2, 0.8] so the box never binds and the optimum is −ε·w/‖w‖₂.
        var (refs, e0, e1, label, keys) = norm == ThreatNorm.Linf ? Batch(model, 200, 8, 5) : Batch(model, 200, 8, 5, 0.2, 0.8);

        // margin(r) = w·vec(r), with w = Wᵀ(e_y − e_other): exact worst case per item, in float64.
        var sign = (label * 2 - 1).to(ScalarType.Float64).unsqueeze(1);
        var w = ((e1 - e0).to(ScalarType.Float64) * sign).matmul(model.W.to(ScalarType.Float64));        // n × d
        var r = refs.to(ScalarType.Float64).flatten(1);
        var m0 = (r * w).sum(1);
        var clean = m0.gt(0).logical_or(m0.eq(0).logical_and(label.eq(0)));
        double eps;
        Tensor worst;
        if (norm == ThreatNorm.Linf)
        {
            eps = (m0.abs() / w.abs().sum(1)).median().item<double>();
            var lower = (-r).clamp_min(-eps); var upper = (1 - r).clamp_max(eps);   // δ_i ∈ [max(−ε, −r_i), min(ε, 1 − r_i)]
            worst = m0 + torch.where(w > 0, lower * w, upper * w).sum(1);
        }
        else
        {
            eps = (m0.abs() / w.square().sum(1).sqrt()).median().item<double>();
            worst = m0 - eps * w.square().sum(1).sqrt();
            Assert.True((eps * w.abs().amax([1]) / w.square().sum(1).sqrt()).max().item<double>() < 0.2, "box must not bind");
        }
        // Leave out items within float32 noise of the decision boundary.
        var scale = w.abs().sum(1) * 1e-4;
        var clear = (worst.abs() > scale).logical_and(m0.abs() > scale);
        var keep = clean.logical_and(clear).nonzero().reshape(-1);
        var exactRobust = worst.index_select(0, keep).gt(0).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(exactRobust, 0.15, 0.85);   // the test is only meaningful if the answer is mixed

        var opts = new ApgdOptions { Norm = norm, Eps = eps, Iterations = 20, Seed = 1 };
        using var res = TwoAfcAttack.Run(model, refs.index_select(0, keep), e0.index_select(0, keep), e1.index_select(0, keep),
            label.index_select(0, keep), keys.Take((int)keep.shape[0]).ToArray(), opts);
        var robust = Correct(model, res.Adversarial, e0.index_select(0, keep), e1.index_select(0, keep), label.index_select(0, keep));
        Assert.Equal(exactRobust, robust.Average(b => b ? 1.0 : 0.0), 12);
        Assert.Equal(robust, res.Success.logical_not().data<bool>().ToArray());
        AssertInBallAndBox(res.Adversarial, refs.index_select(0, keep), eps, norm);
    }

    /// <summary>Fixed-step PGD (no momentum, no schedule, no random start) with the same loss, as a baseline.</summary>
    private static bool[] Pgd(IPerceptualModel model, Tensor refs, Tensor e0, Tensor e1, Tensor label, double eps, ThreatNorm norm, int steps, double step)
    {
        var objective = TwoAfcAttack.Objective(model, e0, e1, label);
        var all = torch.arange(refs.shape[0], ScalarType.Int64);
        var x = refs.clone();
        var fooled = new bool[refs.shape[0]];
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            using var gm = torch.enable_grad();
            var xg = x.detach().requires_grad_(true);
            var v = objective(xg, all);
            var g = torch.autograd.grad([v.Loss.sum()], [xg])[0];
            var next = ThreatBall.Project(xg.detach() + step * ThreatBall.Direction(g, norm), refs, eps, norm).DetachFromDisposeScope();
            x.Dispose(); x = next;
            var ok = Correct(model, x, e0, e1, label);
            for (int j = 0; j < ok.Length; j++) fooled[j] |= !ok[j];
        }
        return fooled.Select(f => !f).ToArray();
    }

    [Theory]
    [InlineData(ThreatNorm.Linf, new[] { 0.25 / 255, 0.5 / 255, 1.0 / 255 })]
    [InlineData(ThreatNorm.L2, new[] { 0.02, 0.05, 0.1 })]
    public void Apgd_is_at_least_as_strong_as_ten_step_pgd_on_a_random_conv_encoder(ThreatNorm norm, double[] epss)
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 7, size: 32));
        var (refs, e0, e1, label, keys) = Batch(model, N, 32, 11);
        var clean = Correct(model, refs, e0, e1, label);
        var idx = torch.tensor(Enumerable.Range(0, N).Where(i => clean[i]).Select(i => (long)i).ToArray());
        var (r, a, b, y) = (refs.index_select(0, idx), e0.index_select(0, idx), e1.index_select(0, idx), label.index_select(0, idx));
        bool anyMixed = false;
        foreach (var eps in epss)
        {
            var pgd = Pgd(model, r, a, b, y, eps, norm, steps: 10, step: eps / 4);
            using var res = TwoAfcAttack.Run(model, r, a, b, y, keys.Take((int)idx.shape[0]).ToArray(), new ApgdOptions { Norm = norm, Eps = eps, Iterations = 10 });
            var apgd = Correct(model, res.Adversarial, a, b, y);
            double pgdAcc = pgd.Average(x => x ? 1.0 : 0.0), apgdAcc = apgd.Average(x => x ? 1.0 : 0.0);
            Assert.True(apgdAcc <= pgdAcc, $"ε={eps}: APGD robust accuracy {apgdAcc:P1} > PGD's {pgdAcc:P1}");
            AssertInBallAndBox(res.Adversarial, r, eps, norm);
            anyMixed |= pgdAcc is > 0.1 and < 0.9;
        }
        Assert.True(anyMixed, "no ε gave PGD a mixed robust accuracy: the comparison would be vacuous");
    }

    [Fact]
    public void Every_returned_point_lies_in_the_ball_and_the_image_box_and_eps_zero_changes_nothing()
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 2, size: 16));
        // References saturated at 0 and 1 in places, so the box binds.
        var (refs, e0, e1, label, keys) = Batch(model, 16, 16, 3);
        refs = (refs * 1.6 - 0.3).clamp(0, 1);
        foreach (var norm in new[] { ThreatNorm.Linf, ThreatNorm.L2 })
        {
            double eps = norm == ThreatNorm.Linf ? 8.0 / 255 : 1.0;
            using var res = TwoAfcAttack.Run(model, refs, e0, e1, label, keys, new ApgdOptions { Norm = norm, Eps = eps, Iterations = 15, Restarts = 2, DropSucceeded = false });
            AssertInBallAndBox(res.Adversarial, refs, eps, norm);
            using var zero = TwoAfcAttack.Run(model, refs, e0, e1, label, keys, new ApgdOptions { Norm = norm, Eps = 0, Iterations = 5 });
            Assert.Equal(0.0, (zero.Adversarial - refs).abs().max().item<float>());
            Assert.Equal(Correct(model, refs, e0, e1, label), zero.Success.logical_not().data<bool>().ToArray());
        }
    }

    [Fact]
    public void Results_do_not_depend_on_batching_or_dropping_and_repeat_with_the_seed()
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 4, size: 16));
        var (refs, e0, e1, label, keys) = Batch(model, 12, 16, 9);
        var o = new ApgdOptions { Eps = 2.0 / 255, Iterations = 12 };
        using var whole = TwoAfcAttack.Run(model, refs, e0, e1, label, keys, o);
        using var again = TwoAfcAttack.Run(model, refs, e0, e1, label, keys, o);
        Assert.Equal(whole.Adversarial.data<float>().ToArray(), again.Adversarial.data<float>().ToArray());
        using var noDrop = TwoAfcAttack.Run(model, refs, e0, e1, label, keys, o with { DropSucceeded = false });
        Assert.Equal(whole.Success.data<bool>().ToArray(), noDrop.Success.data<bool>().ToArray());
        Assert.True(noDrop.GradientEvaluations >= whole.GradientEvaluations);
        // Items 6..11 alone: same success flags as within the full batch.
        var tail = torch.arange(6, 12, ScalarType.Int64);
        using var part = TwoAfcAttack.Run(model, refs.index_select(0, tail), e0.index_select(0, tail), e1.index_select(0, tail), label.index_select(0, tail), keys[6..], o);
        Assert.Equal(whole.Success.data<bool>().ToArray()[6..], part.Success.data<bool>().ToArray());
    }

    [Fact]
    public void Checkpoints_follow_the_papers_schedule()
    {
        // p = 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99 of 100 iterations → after (0-based) iterations 21, 40, …
        Assert.Equal([21, 40, 56, 69, 79, 86, 92, 98], CheckpointSchedule.For(100).Iterations(100));
        Assert.Equal((2, 1, 1), (CheckpointSchedule.For(10).FirstInterval, CheckpointSchedule.For(10).MinInterval, CheckpointSchedule.For(10).Decrease));
    }

    internal static void AssertInBallAndBox(Tensor adv, Tensor clean, double eps, ThreatNorm norm)
    {
        var norms = ThreatBall.Norms(adv - clean, norm);
        Assert.All(norms, n => Assert.True(n <= eps + 1e-6, $"‖δ‖ = {n} > ε = {eps}"));
        Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1);
    }

    /// <summary>
    /// "No native memory growth across attack iterations" (docs/development.md, Conventions): the live native tensors counted at
    /// every objective call stay level over 60 iterations (checkpoints and step-size halvings included), and none
    /// outlives the run.
    /// </summary>
    [Theory]
    [InlineData(ThreatNorm.Linf)]
    [InlineData(ThreatNorm.L2)]
    public void Live_native_tensors_stay_level_across_iterations_and_none_outlive_the_run(ThreatNorm norm)
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 5, size: 16));
        var (refs, e0, e1, label, keys) = Batch(model, 6, 16, 43);
        var objective = TwoAfcAttack.Objective(model, e0, e1, label);
        var o = new ApgdOptions { Norm = norm, Eps = norm == ThreatNorm.Linf ? 1.0 / 255 : 0.1, Iterations = 60, DropSucceeded = false };
        using (Apgd.Run(objective, refs, keys, o with { Iterations = 3, Restarts = 1 })) { }   // warm-up: lazily created natives
        var live = new List<long>();
        AttackObjective counting = (x, idx) =>
        {
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            return objective(x, idx);
        };
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (Apgd.Run(counting, refs, keys, o)) { }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.True(live.Count >= 60, $"{live.Count} objective calls");
        // After the first few calls the count is flat (a leak of one tensor per iteration would add 50).
        var steady = live.Skip(5).ToList();
        Assert.True(steady.Max() - steady.Min() <= 4, $"live tensors per call: {string.Join(' ', live)}");
    }
}
