using Portal.Engine.Attacks;
using Portal.Engine.Encoders;
using Portal.Engine.Metric;
using Portal.Engine.TwoAfc;
using Portal.Tests.Support;
using TorchSharp;
using static Portal.Tests.Attacks.ApgdTests;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Portal.Tests.Attacks;

public class SquareTests(ITestOutputHelper output)
{
    /// <summary>Random 2AFC batch in tensors: refs, clean candidate embeddings, labels, item keys.</summary>
    internal static (Tensor Refs, Tensor E0, Tensor E1, Tensor Label, ulong[] Keys) Batch(IPerceptualModel model, int n, int size, int seed, double spread = 0.3)
    {
        var g = new torch.Generator((ulong)seed, CPU);
        var refs = torch.rand([n, 3, size, size], generator: g);
        var x0 = (refs + spread * (torch.rand([n, 3, size, size], generator: g) - 0.5)).clamp(0, 1);
        var x1 = (refs + spread * (torch.rand([n, 3, size, size], generator: g) - 0.5)).clamp(0, 1);
        var label = torch.randint(0, 2, [n], generator: g, dtype: ScalarType.Int64);
        Tensor e0, e1;
        using (torch.no_grad()) { e0 = model.Embed(x0); e1 = model.Embed(x1); }
        return (refs, e0, e1, label, ItemSeed.For(seed, Enumerable.Range(0, n).Select(i => "item" + i)));
    }

    internal static bool[] Correct(IPerceptualModel model, Tensor x, Tensor e0, Tensor e1, Tensor label)
    {
        using var _ = torch.no_grad();
        return TwoAfcScoring.Correct(TwoAfcScoring.Logits(model, model.Embed(x), e0, e1), label).data<bool>().ToArray();
    }

    /// <summary>The clean-correct triplets of a batch (the ones the task attacks).</summary>
    internal static (Tensor Refs, Tensor E0, Tensor E1, Tensor Label, ulong[] Keys) CleanCorrect(IPerceptualModel model, (Tensor Refs, Tensor E0, Tensor E1, Tensor Label, ulong[] Keys) b)
    {
        var ok = Correct(model, b.Refs, b.E0, b.E1, b.Label);
        var keep = Enumerable.Range(0, ok.Length).Where(i => ok[i]).ToArray();
        var idx = torch.tensor(keep.Select(i => (long)i).ToArray());
        return (b.Refs.index_select(0, idx), b.E0.index_select(0, idx), b.E1.index_select(0, idx), b.Label.index_select(0, idx), keep.Select(i => b.Keys[i]).ToArray());
    }

    private static double Accuracy(bool[] b) => b.Average(x => x ? 1.0 : 0.0);

    [Theory]
    [InlineData(ThreatNorm.Linf, 8.0 / 255)]
    [InlineData(ThreatNorm.L2, 1.0)]
    public void Every_point_lies_in_the_ball_and_the_image_box_and_eps_zero_changes_nothing(ThreatNorm norm, double eps)
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 2, size: 16));
        var (refs, e0, e1, label, keys) = Batch(model, 16, 16, 3);
        refs = (refs * 1.6 - 0.3).clamp(0, 1);   // saturated at 0 and 1 in places, so the box binds
        using (var res = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, new SquareOptions { Norm = norm, Eps = eps, Queries = 80, Restarts = 2 }))
        {
            AssertInBallAndBox(res.Adversarial, refs, eps, norm);
            if (norm == ThreatNorm.Linf)
            {
                // Every pixel sits on a vertex of the ball ∩ box: clip(x − ε) or clip(x + ε).
                var up = (refs + eps).clamp(0, 1);
                var down = (refs - eps).clamp(0, 1);
                Assert.True(res.Adversarial.eq(up).logical_or(res.Adversarial.eq(down)).all().item<bool>());
            }
            Assert.Equal(Correct(model, res.Adversarial, e0, e1, label), res.Success.logical_not().data<bool>().ToArray());
        }
        using var zero = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, new SquareOptions { Norm = norm, Eps = 0, Queries = 10 });
        Assert.Equal(0.0, (zero.Adversarial - refs).abs().max().item<float>());
        Assert.Equal(Correct(model, refs, e0, e1, label), zero.Success.logical_not().data<bool>().ToArray());
    }

    [Fact]
    public void L2_points_lie_on_the_sphere_where_the_box_does_not_bind()
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 3, size: 16));
        var (refs, e0, e1, label, keys) = Batch(model, 8, 16, 17);
        refs = 0.3 + 0.4 * refs;   // in [0.3, 0.7]: ε = 0.3 cannot push a pixel out of [0,1]
        using var res = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, new SquareOptions { Norm = ThreatNorm.L2, Eps = 0.3, Queries = 40 });
        Assert.All(ThreatBall.Norms(res.Adversarial - refs, ThreatNorm.L2), d => Assert.Equal(0.3, d, 4));
    }

    [Theory]
    [InlineData(ThreatNorm.Linf)]
    [InlineData(ThreatNorm.L2)]
    public void A_seed_repeats_the_attack_exactly_and_another_seed_draws_differently(ThreatNorm norm)
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 4, size: 16));
        var (refs, e0, e1, label, keys) = Batch(model, 8, 16, 9);
        var o = new SquareOptions { Norm = norm, Eps = norm == ThreatNorm.Linf ? 2.0 / 255 : 0.2, Queries = 40 };
        using var a = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, o);
        using var b = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, o);
        Assert.Equal(a.Adversarial.data<float>().ToArray(), b.Adversarial.data<float>().ToArray());
        Assert.Equal(a.Queries, b.Queries);
        Assert.Equal(a.Success.data<bool>().ToArray(), b.Success.data<bool>().ToArray());
        var otherKeys = ItemSeed.For(10, Enumerable.Range(0, 8).Select(i => "item" + i));
        using var c = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, otherKeys, o);
        Assert.NotEqual(a.Adversarial.data<float>().ToArray(), c.Adversarial.data<float>().ToArray());
    }

    [Theory]
    [InlineData(ThreatNorm.Linf)]
    [InlineData(ThreatNorm.L2)]
    public void Batches_of_one_and_of_four_give_every_item_the_same_outcome(ThreatNorm norm)
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 5, size: 16));
        var (refs, e0, e1, label, keys) = Batch(model, 8, 16, 21);
        var o = new SquareOptions { Norm = norm, Eps = norm == ThreatNorm.Linf ? 1.0 / 255 : 0.1, Queries = 60, Restarts = 2 };
        using var whole = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, o);
        var success = whole.Success.data<bool>().ToArray();
        Assert.Contains(true, success);
        Assert.Contains(false, success);   // a mixed outcome, or the comparison is vacuous
        foreach (int size in new[] { 1, 4 })
        {
            for (int start = 0; start < 8; start += size)
            {
                var part = torch.arange(start, start + size, ScalarType.Int64);
                using var r = TwoAfcAttack.RunSquare(model, refs.index_select(0, part), e0.index_select(0, part), e1.index_select(0, part),
                    label.index_select(0, part), keys[start..(start + size)], o);
                Assert.Equal(success[start..(start + size)], r.Success.data<bool>().ToArray());
                Assert.Equal(whole.Queries.Skip(start).Take(size), r.Queries);
                // The points themselves may differ: the encoder's float32 output changes in the last bit with the batch's
                // composition (≈3e-8 here), which can tip a near-tie acceptance. The loss reached may not.
                var lossGap = (r.BestLoss - whole.BestLoss.index_select(0, part)).abs().max().item<float>();
                Assert.True(lossGap < 1e-4, $"batch {size} at {start}: best loss differs by {lossGap}");
            }
        }
    }

    [Fact]
    public void Queries_are_counted_per_item_and_fooled_items_stop_being_queried()
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 6, size: 16));
        var (refs, e0, e1, label, keys) = Batch(model, 12, 16, 13);
        var clean = Correct(model, refs, e0, e1, label);
        Assert.Contains(false, clean);
        var o = new SquareOptions { Eps = 4.0 / 255, Queries = 50 };
        using var res = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, o);
        var success = res.Success.data<bool>().ToArray();
        Assert.Contains(true, success.Where((_, i) => clean[i]));   // some clean-correct triplet is broken
        for (int i = 0; i < 12; i++)
        {
            Assert.InRange(res.Queries[i], 1, o.Queries + 1);
            if (!success[i]) Assert.Equal(o.Queries + 1, res.Queries[i]);   // the initial point plus every iteration
        }
        Assert.Equal(res.Queries.Sum(q => (long)q), res.TotalQueries);
        Assert.Equal(o.Queries, res.IterationsRun);

        // Without a notion of success, every item is queried at every iteration.
        var objective = TwoAfcAttack.Objective(model, e0, e1, label);
        AttackObjective noSuccess = (x, idx) => objective(x, idx) with { Success = null };
        using var all = Square.Run(noSuccess, refs, keys, o with { Queries = 7 });
        Assert.All(all.Queries, q => Assert.Equal(8, q));
        Assert.False(all.Success.any().item<bool>());
    }

    [Fact]
    public void The_p_schedule_and_square_sizes_follow_autoattack()
    {
        var full = new SquareOptions { Queries = 10000 };
        Assert.Equal(0.8, full.P(0)); Assert.Equal(0.8, full.P(10));
        Assert.Equal(0.4, full.P(11)); Assert.Equal(0.4, full.P(50));
        Assert.Equal(0.2, full.P(51)); Assert.Equal(0.1, full.P(201)); Assert.Equal(0.05, full.P(501));
        Assert.Equal(0.8 / 32, full.P(1001)); Assert.Equal(0.8 / 64, full.P(2001)); Assert.Equal(0.8 / 128, full.P(4001));
        Assert.Equal(0.8 / 256, full.P(6001)); Assert.Equal(0.8 / 512, full.P(8001)); Assert.Equal(0.8 / 512, full.P(9999));
        // Rescaled to a budget of 5,000: iteration i sits at ⌊2i⌋ of the 10,000-query schedule.
        var half = new SquareOptions { Queries = 5000 };
        Assert.Equal(0.8, half.P(5)); Assert.Equal(0.4, half.P(6)); Assert.Equal(0.8 / 512, half.P(4001));
        Assert.Equal(0.4, new SquareOptions { Queries = 100, RescaleSchedule = false }.P(11));
        Assert.Equal(0.8 / 512, new SquareOptions { Queries = 100 }.P(81));

        Assert.Equal(200, Square.SideLength(0.8, 224, 224, ThreatNorm.Linf));   // √(0.8·224²) = 200.4
        Assert.Equal(1, Square.SideLength(1e-6, 224, 224, ThreatNorm.Linf));
        Assert.Equal(3, Square.SideLength(1e-6, 224, 224, ThreatNorm.L2));
        Assert.Equal(201, Square.SideLength(0.8, 224, 224, ThreatNorm.L2));      // odd
        Assert.Equal(16, Square.SideLength(1.0, 16, 16, ThreatNorm.L2));        // never larger than the image

        foreach (int s in new[] { 3, 5, 8, 11 })
        {
            var eta = Square.Eta(s);
            double ss = 0;
            foreach (var v in eta) ss += v * v;
            Assert.Equal(1.0, ss, 10);
            for (int b = 0; b < s; b++) { Assert.True(eta[0, b] > 0); Assert.True(eta[s - 1, b] < 0); }
            Assert.True(eta[s / 4, s / 2] >= eta[0, 0]);   // mass peaks at the centre of each half
        }
    }

    /// <summary>
    /// φ(x) = encoder(⌊255·x⌉ / 255): an 8-bit quantisation in front of the encoder. Its gradient is zero almost
    /// everywhere, so a gradient attack sees a flat loss (gradient masking); the function itself is as easy to fool.
    /// </summary>
    internal sealed class QuantisedModel(IPerceptualModel inner) : IPerceptualModel
    {
        public string Name => "quantised-" + inner.Name;
        public Preprocessing Preprocessing => inner.Preprocessing;
        public Device Device => inner.Device;
        public Tensor Embed(Tensor pixels)
        {
            using var scope = torch.NewDisposeScope();
            return inner.Embed(torch.round(pixels * 255) / 255).MoveToOuterDisposeScope();
        }
        public Tensor Similarity(Tensor a, Tensor b) => inner.Similarity(a, b);
        public void Dispose() => inner.Dispose();
    }

    [Theory]
    [InlineData(ThreatNorm.Linf, 6.0 / 255)]
    [InlineData(ThreatNorm.L2, 0.5)]
    public void Behind_a_masked_gradient_apgd_looks_robust_and_square_breaks_it(ThreatNorm norm, double eps)
    {
        using var model = new QuantisedModel(new EncoderMetric(new TinyConvEncoder(seed: 7, size: 16)));
        var (refs, e0, e1, label, keys) = CleanCorrect(model, Batch(model, 40, 16, 31));
        using var apgd = TwoAfcAttack.Run(model, refs, e0, e1, label, keys, new ApgdOptions { Norm = norm, Eps = eps, Iterations = 20 });
        using var square = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, new SquareOptions { Norm = norm, Eps = eps, Queries = 300 });
        double apgdAcc = Accuracy(Correct(model, apgd.Adversarial, e0, e1, label));
        double squareAcc = Accuracy(Correct(model, square.Adversarial, e0, e1, label));
        output.WriteLine($"masked {norm} ε={eps:G4}, {label.shape[0]} triplets: APGD-20 robust {apgdAcc:P1}, Square-300 robust {squareAcc:P1}, mean queries of broken {square.Queries.Where((_, i) => square.Success.data<bool>()[i]).DefaultIfEmpty(0).Average():F1}");
        Assert.True(apgdAcc >= 0.8, $"APGD robust accuracy {apgdAcc:P1}: the gradient is not masked");
        Assert.True(squareAcc <= apgdAcc - 0.4, $"Square robust accuracy {squareAcc:P1} vs APGD's {apgdAcc:P1}");
        AssertInBallAndBox(square.Adversarial, refs, eps, norm);
    }

    [Theory]
    [InlineData(ThreatNorm.Linf, 1.0 / 255)]
    [InlineData(ThreatNorm.L2, 0.1)]
    public void On_a_smooth_model_square_is_not_stronger_than_apgd(ThreatNorm norm, double eps)
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 7, size: 16));
        var (refs, e0, e1, label, keys) = CleanCorrect(model, Batch(model, 40, 16, 31));
        using var apgd = TwoAfcAttack.Run(model, refs, e0, e1, label, keys, new ApgdOptions { Norm = norm, Eps = eps, Iterations = 20 });
        using var square = TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, new SquareOptions { Norm = norm, Eps = eps, Queries = 300 });
        double apgdAcc = Accuracy(Correct(model, apgd.Adversarial, e0, e1, label));
        double squareAcc = Accuracy(Correct(model, square.Adversarial, e0, e1, label));
        output.WriteLine($"smooth {norm} ε={eps:G4}, {label.shape[0]} triplets: APGD-20 robust {apgdAcc:P1}, Square-300 robust {squareAcc:P1}");
        Assert.True(apgdAcc is > 0.05 and < 0.95, $"APGD robust accuracy {apgdAcc:P1}: pick an ε with a mixed outcome");
        Assert.True(squareAcc >= apgdAcc - 0.1, $"Square robust accuracy {squareAcc:P1} far below APGD's {apgdAcc:P1} on a smooth model");
    }

    [Fact]
    public void A_run_leaves_no_live_tensor_behind()
    {
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 8, size: 16));
        var (refs, e0, e1, label, keys) = Batch(model, 6, 16, 41);
        foreach (var norm in new[] { ThreatNorm.Linf, ThreatNorm.L2 })
        {
            var o = new SquareOptions { Norm = norm, Eps = norm == ThreatNorm.Linf ? 1.0 / 255 : 0.1, Queries = 5 };
            using (TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, o)) { }   // warm-up
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (TwoAfcAttack.RunSquare(model, refs, e0, e1, label, keys, o with { Queries = 150 })) { }
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
    }
}
