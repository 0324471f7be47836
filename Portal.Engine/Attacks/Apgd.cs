using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// Auto-PGD (Croce &amp; Hein, ICML 2020) for L∞ and L2, written from the paper and checked step by step against
/// AutoAttack's reference (autopgd_base.py):
/// random start on the ε-sphere (clipped to [0,1]); initial step 2ε; step = P(x + η·dir(∇L)) followed by the momentum
/// combination x ← P(x + α(z − x) + (1 − α)(x − x_prev)) with α = 1 on the first step and 0.75 after; at each
/// checkpoint (see <see cref="CheckpointSchedule"/>) the step of an item is halved, and the item restarted from its
/// best point with that point's gradient, when (1) at most ρ·k of the last k steps increased its loss or (2) its step
/// was not halved at the previous checkpoint and its best loss has not improved since. Best loss and best point are
/// tracked per item. Restarts attack only the items not yet successful, each from a fresh random start.
/// Randomness comes from per-item generators (<see cref="ItemSeed"/>), so results do not depend on batching.
/// Items reported successful can be dropped from the batch (<see cref="ApgdOptions.DropSucceeded"/>): every operation
/// is per item, so this changes cost, not results.
/// </summary>
public static class Apgd
{
    /// <param name="objective">Per-item loss to maximise (and optional success flags); see <see cref="AttackObjective"/>.</param>
    /// <param name="x">Clean points, N×…, values in [0,1]. Not modified.</param>
    /// <param name="itemKeys">One seed per item (from <see cref="ItemSeed.For(int,string,int)"/>).</param>
    public static ApgdResult Run(AttackObjective objective, Tensor x, IReadOnlyList<ulong> itemKeys, ApgdOptions options, CancellationToken ct = default)
    {
        if (itemKeys.Count != x.shape[0]) throw new ArgumentException($"{itemKeys.Count} item keys for {x.shape[0]} items");
        if (options.Iterations < 1) throw new ArgumentException("APGD needs at least one iteration");
        if (options.Eps < 0 || !double.IsFinite(options.Eps)) throw new ArgumentException($"ε must be finite and ≥ 0, got {options.Eps}");
        long n = x.shape[0];
        using var scope = torch.NewDisposeScope();
        var clean = x.detach();
        var adv = clean.clone();
        var success = torch.zeros(n, ScalarType.Bool, x.device);
        var bestLoss = torch.full(n, double.NegativeInfinity, ScalarType.Float32, x.device);
        long gradEvals = 0;
        int iterations = 0;
        for (int r = 0; r < Math.Max(options.Restarts, 1) && n > 0; r++)
        {
            var todo = success.logical_not().nonzero().reshape(-1);
            if (todo.numel() == 0) break;
            var todoIdx = todo.cpu().data<long>().ToArray();
            var keys = todoIdx.Select(i => ItemSeed.WithRestart(itemKeys[(int)i], r)).ToArray();
            using var run = new SingleRun(objective, clean.index_select(0, todo), todo, keys, options, ct);
            run.Execute();
            gradEvals += run.GradientEvaluations;
            iterations = Math.Max(iterations, run.IterationsRun);

            // Keep a restart's point if it succeeded, or (for items still not fooled) if it reached a higher loss.
            var prevLoss = bestLoss.index_select(0, todo);
            var take = run.OutSuccess.logical_or(run.OutLoss > prevLoss).logical_and(success.index_select(0, todo).logical_not());
            var rows = todo.masked_select(take);
            adv.index_copy_(0, rows, run.OutAdv.index_select(0, take.nonzero().reshape(-1)));
            bestLoss.index_copy_(0, todo, torch.maximum(prevLoss, run.OutLoss));
            success.index_copy_(0, todo, success.index_select(0, todo).logical_or(run.OutSuccess));
        }
        return new ApgdResult(adv.MoveToOuterDisposeScope(), success.MoveToOuterDisposeScope(), bestLoss.MoveToOuterDisposeScope(), gradEvals, iterations);
    }

    /// <summary>One APGD run from one random start. State lives in fields; each iteration works in its own dispose scope.</summary>
    private sealed class SingleRun(AttackObjective objective, Tensor clean, Tensor batchIndices, ulong[] keys, ApgdOptions o, CancellationToken ct) : IDisposable
    {
        public Tensor OutAdv = null!, OutSuccess = null!, OutLoss = null!;
        public long GradientEvaluations;
        public int IterationsRun;

        // State of the items still attacked ("alive"), row-aligned.
        private Tensor _alive = null!;      // local indices 0..M-1
        private Tensor _clean = null!, _xAdv = null!, _xOld = null!, _xBest = null!, _xBestAdv = null!;
        private Tensor _grad = null!, _gradBest = null!, _lossBest = null!, _lossBestLast = null!;
        private Tensor _step = null!, _reducedLast = null!, _fooled = null!, _lossSteps = null!;

        public void Execute()
        {
            long m = clean.shape[0];
            var dev = clean.device;
            double eps = o.Eps;
            var ball = ThreatBall.Broadcast(clean);   // N×1×…×1; recomputed below once items are dropped

            using (torch.NewDisposeScope())
            {
                Set(ref _alive, torch.arange(m, ScalarType.Int64, dev));
                Set(ref _clean, clean.alias());
                var x0 = o.RandomStart && eps > 0 ? ThreatBall.RandomStart(clean, keys, eps, o.Norm) : clean.clone();
                var (loss, grad, succ) = Evaluate(x0, batchIndices);
                Set(ref OutAdv, x0.clone());
                Set(ref OutSuccess, torch.zeros(m, ScalarType.Bool, dev));
                Set(ref OutLoss, loss.clone());
                Set(ref _xAdv, x0); Set(ref _xOld, x0.clone()); Set(ref _xBest, x0.clone()); Set(ref _xBestAdv, x0.clone());
                Set(ref _grad, grad); Set(ref _gradBest, grad.clone());
                Set(ref _lossBest, loss); Set(ref _lossBestLast, loss.clone());
                Set(ref _step, torch.full(ball, o.InitialStepFactor * eps, clean.dtype, dev));
                Set(ref _reducedLast, torch.ones(m, ScalarType.Bool, dev));
                Set(ref _fooled, succ?.clone() ?? torch.zeros(m, ScalarType.Bool, dev));
                Set(ref _lossSteps, torch.zeros(o.Iterations, m, ScalarType.Float32, dev));
                if (o.DropSucceeded && succ is not null) Drop(succ);
            }

            var schedule = CheckpointSchedule.For(o.Iterations);
            int k = schedule.FirstInterval, counter = 0;
            for (int i = 0; i < o.Iterations && _alive.shape[0] > 0; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var it = torch.NewDisposeScope();
                double a = i == 0 ? 1.0 : o.Alpha;
                using Scalar sa = a, sb = 1 - a;   // held across the native ops that use them (see HeldScalars)
                var z = ThreatBall.Project(_xAdv + _step * ThreatBall.Direction(_grad, o.Norm), _clean, eps, o.Norm);
                var xNew = ThreatBall.Project(_xAdv + sa * (z - _xAdv) + sb * (_xAdv - _xOld), _clean, eps, o.Norm);
                var previous = _xAdv;
                _xAdv = xNew.DetachFromDisposeScope();
                _xOld.Dispose();
                _xOld = previous;

                var (l, g, s) = Evaluate(_xAdv, batchIndices.index_select(0, _alive));
                Set(ref _grad, g);
                _lossSteps[i] = l;
                var improved = l > _lossBest;
                var improvedX = improved.reshape(ThreatBall.Broadcast(_xAdv));
                Set(ref _xBest, torch.where(improvedX, _xAdv, _xBest));
                Set(ref _gradBest, torch.where(improvedX, _grad, _gradBest));
                Set(ref _lossBest, torch.where(improved, l, _lossBest));
                if (s is not null)
                {
                    Set(ref _fooled, _fooled.logical_or(s));
                    if (!o.DropSucceeded) Set(ref _xBestAdv, torch.where(s.reshape(ThreatBall.Broadcast(_xAdv)), _xAdv, _xBestAdv));
                }
                IterationsRun = i + 1;
                if (o.DropSucceeded && s is not null) Drop(s);

                if (++counter == k)
                {
                    var cur = torch.arange(i, i - k, -1, ScalarType.Int64, dev);
                    var prev = (cur - 1).remainder(o.Iterations);   // index −1 wraps to the (still zero) last row, as in the reference
                    var increases = (_lossSteps.index_select(0, cur) > _lossSteps.index_select(0, prev)).to(ScalarType.Float32).sum(0);
                    var oscillating = increases <= o.Rho * k;
                    var noImprovement = _reducedLast.logical_not().logical_and(_lossBestLast >= _lossBest);
                    var reduce = oscillating.logical_or(noImprovement);
                    Set(ref _reducedLast, reduce.clone());
                    Set(ref _lossBestLast, _lossBest.clone());
                    var reduceX = reduce.reshape(ThreatBall.Broadcast(_xAdv));
                    Set(ref _step, torch.where(reduceX, _step / HeldScalars.Two, _step));
                    Set(ref _xAdv, torch.where(reduceX, _xBest, _xAdv));
                    Set(ref _grad, torch.where(reduceX, _gradBest, _grad));
                    counter = 0;
                    k = schedule.Next(k);
                }
            }

            // Items never dropped: successful ones return their last successful iterate, the others their best point.
            if (_alive.shape[0] > 0)
            {
                using var fin = torch.NewDisposeScope();
                var fooledX = _fooled.reshape(ThreatBall.Broadcast(_xBest));
                OutAdv.index_copy_(0, _alive, torch.where(fooledX, _xBestAdv, _xBest));
                OutSuccess.index_copy_(0, _alive, _fooled);
                OutLoss.index_copy_(0, _alive, _lossBest);
            }
        }

        /// <summary>Records the items that just succeeded (their current iterate) and removes them from the state.</summary>
        private void Drop(Tensor succeeded)
        {
            if (!succeeded.any().item<bool>()) return;
            using var scope = torch.NewDisposeScope();
            var gone = succeeded.nonzero().reshape(-1);
            var rows = _alive.index_select(0, gone);
            OutAdv.index_copy_(0, rows, _xAdv.index_select(0, gone));
            OutSuccess.index_fill_(0, rows, true);
            OutLoss.index_copy_(0, rows, _lossBest.index_select(0, gone));
            var keep = succeeded.logical_not().nonzero().reshape(-1);
            Set(ref _alive, _alive.index_select(0, keep));
            foreach (var f in new[] { "clean", "xAdv", "xOld", "xBest", "xBestAdv", "grad", "gradBest", "lossBest", "lossBestLast", "step", "reducedLast", "fooled" })
                Filter(f, keep);
            Set(ref _lossSteps, _lossSteps.index_select(1, keep));
        }

        private void Filter(string name, Tensor keep)
        {
            switch (name)
            {
                case "clean": Set(ref _clean, _clean.index_select(0, keep)); break;
                case "xAdv": Set(ref _xAdv, _xAdv.index_select(0, keep)); break;
                case "xOld": Set(ref _xOld, _xOld.index_select(0, keep)); break;
                case "xBest": Set(ref _xBest, _xBest.index_select(0, keep)); break;
                case "xBestAdv": Set(ref _xBestAdv, _xBestAdv.index_select(0, keep)); break;
                case "grad": Set(ref _grad, _grad.index_select(0, keep)); break;
                case "gradBest": Set(ref _gradBest, _gradBest.index_select(0, keep)); break;
                case "lossBest": Set(ref _lossBest, _lossBest.index_select(0, keep)); break;
                case "lossBestLast": Set(ref _lossBestLast, _lossBestLast.index_select(0, keep)); break;
                case "step": Set(ref _step, _step.index_select(0, keep)); break;
                case "reducedLast": Set(ref _reducedLast, _reducedLast.index_select(0, keep)); break;
                case "fooled": Set(ref _fooled, _fooled.index_select(0, keep)); break;
            }
        }

        /// <summary>Loss, input gradient and success flags at x, in the caller's dispose scope.</summary>
        private (Tensor Loss, Tensor Grad, Tensor? Success) Evaluate(Tensor x, Tensor indices)
        {
            using var scope = torch.NewDisposeScope();
            using var gradMode = torch.enable_grad();
            var xg = x.detach().requires_grad_(true);
            ObjectiveValue v;
            using (Runtime.Profile.Phase("attack/forward")) v = objective(xg, indices);
            if (v.Loss.dim() != 1 || v.Loss.shape[0] != x.shape[0])
                throw new InvalidOperationException($"attack objective returned loss of shape [{string.Join(",", v.Loss.shape)}], expected [{x.shape[0]}]");
            Tensor g;
            using (Runtime.Profile.Phase("attack/backward")) g = torch.autograd.grad([v.Loss.sum()], [xg])[0];
            GradientEvaluations += x.shape[0];
            var loss = v.Loss.detach().to(ScalarType.Float32).MoveToOuterDisposeScope();
            var grad = g.detach().MoveToOuterDisposeScope();
            var succ = v.Success?.detach().to(ScalarType.Bool).MoveToOuterDisposeScope();
            return (loss, grad, succ);
        }

        /// <summary>
        /// Replaces a state tensor. State is managed by hand, outside every dispose scope, so the old value is freed
        /// at once and native memory stays flat across iterations.
        /// </summary>
        private static void Set(ref Tensor field, Tensor value)
        {
            var v = value.DetachFromDisposeScope();
            if (!ReferenceEquals(field, v)) field?.Dispose();
            field = v;
        }

        public void Dispose()
        {
            foreach (var t in new[] { OutAdv, OutSuccess, OutLoss, _alive, _clean, _xAdv, _xOld, _xBest, _xBestAdv, _grad, _gradBest, _lossBest, _lossBestLast, _step, _reducedLast, _fooled, _lossSteps })
                t?.Dispose();
        }
    }
}
