using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// Square Attack (Andriushchenko, Croce, Flammarion &amp; Hein, ECCV 2020) for L∞ and L2: a score-based random search
/// that needs no gradient, written from the paper and checked against AutoAttack's reference (square.py).
/// It minimises the margin (maximises the objective's loss, for 2AFC −margin) and accepts a candidate when it lowers
/// the margin or fools the item; items fooled stop being queried.
/// <list type="bullet">
/// <item>L∞: start from vertical stripes x + ε·s (one ±1 per item, channel and column); each iteration adds ±2ε
/// (one sign per channel) on a square window of side ⌈√(p·H·W)⌋ (at least 1), then projects onto the ball ∩ [0,1].</item>
/// <item>L2: start from a 5×5 grid of "meta pseudo-gaussian" blocks η (nested squares weighted 1/k², the lower half
/// negated, randomly transposed, one sign per channel), rescaled to ‖δ‖₂ = ε and clipped; each iteration picks
/// two windows of odd side ⌈√(p·H·W)⌋ (at least 3), moves the perturbation's mass of both into the first (old window
/// content normalised + a fresh signed η, rescaled per channel by √(max(ε² − ‖δ‖², 0)/C + ‖δ_{w1∪w2}‖²)), zeroes the
/// second, renormalises the whole to ‖δ‖₂ = ε and clips to [0,1].</item>
/// <item>p follows <see cref="SquareOptions.P"/>: p_init halved at 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000
/// iterations of a 10,000 budget, rescaled to the actual budget.</item>
/// </list>
/// One deliberate difference from the reference: there every iteration uses one window position and (L∞) one sign
/// vector for the whole batch; here every item draws its own from its own stream (<see cref="ItemRandom"/>, seeded by
/// <see cref="ItemSeed"/>), so an item's attack does not depend on its batch. Per item, the distribution of every
/// draw is the reference's (including positions ⌊U·(H − s)⌋, which never touch the last row or column).
/// </summary>
public static class Square
{
    private const double Tiny = 1e-12;

    /// <param name="objective">Per-item loss to maximise and success flags (a null flag tensor: never stop early).</param>
    /// <param name="x">Clean points N×C×H×W in [0,1]. Not modified.</param>
    /// <param name="itemKeys">One seed per item (from <see cref="ItemSeed.For(int,string,int)"/>).</param>
    public static SquareResult Run(AttackObjective objective, Tensor x, IReadOnlyList<ulong> itemKeys, SquareOptions options, CancellationToken ct = default)
    {
        if (x.dim() != 4) throw new ArgumentException($"the square attack needs N×C×H×W images, got [{string.Join(",", x.shape)}]");
        if (itemKeys.Count != x.shape[0]) throw new ArgumentException($"{itemKeys.Count} item keys for {x.shape[0]} items");
        if (options.Queries < 1) throw new ArgumentException("the square attack needs at least one query");
        if (options.Eps < 0 || !double.IsFinite(options.Eps)) throw new ArgumentException($"ε must be finite and ≥ 0, got {options.Eps}");
        if (options.PInit is <= 0 or > 1) throw new ArgumentException($"p_init must be in (0, 1], got {options.PInit}");
        if (options.Norm == ThreatNorm.L2 && Math.Min(x.shape[2], x.shape[3]) < 5)
            throw new ArgumentException("the L2 square attack needs images of at least 5×5 pixels");
        long n = x.shape[0];
        using var scope = torch.NewDisposeScope();
        var clean = x.detach();
        var adv = clean.clone();
        var success = torch.zeros(n, ScalarType.Bool, x.device);
        var bestLoss = torch.full(n, double.NegativeInfinity, ScalarType.Float32, x.device);
        var queries = new int[n];
        int iterations = 0;
        for (int r = 0; r < Math.Max(options.Restarts, 1) && n > 0; r++)
        {
            var done = success.cpu().data<bool>().ToArray();
            var todoIdx = Enumerable.Range(0, (int)n).Where(i => !done[i]).Select(i => (long)i).ToArray();
            if (todoIdx.Length == 0) break;
            var todo = torch.tensor(todoIdx).to(x.device);
            var keys = todoIdx.Select(i => ItemSeed.WithRestart(itemKeys[(int)i], r)).ToArray();
            using var run = new SingleRun(objective, clean.index_select(0, todo), todo, keys, options, ct);
            run.Execute();
            for (int j = 0; j < todoIdx.Length; j++) queries[todoIdx[j]] += run.Queries[j];
            iterations = Math.Max(iterations, run.IterationsRun);

            // Keep a restart's point if it fooled the item or reached a higher loss than the earlier restarts.
            var prevLoss = bestLoss.index_select(0, todo);
            var take = run.OutSuccess.logical_or(run.OutLoss > prevLoss);
            adv.index_copy_(0, todo.masked_select(take), run.OutAdv.index_select(0, take.nonzero().reshape(-1)));
            bestLoss.index_copy_(0, todo, torch.maximum(prevLoss, run.OutLoss));
            success.index_copy_(0, todo, run.OutSuccess);
        }
        return new SquareResult(adv.MoveToOuterDisposeScope(), success.MoveToOuterDisposeScope(), bestLoss.MoveToOuterDisposeScope(), queries, iterations);
    }

    /// <summary>Side of the square at fraction p of an H×W image: round(√(p·H·W)) (half to even, as Python's round),
    /// at least 1 (L∞) or an odd number ≥ 3 (L2); never larger than the image.</summary>
    public static int SideLength(double p, int h, int w, ThreatNorm norm)
    {
        int s = (int)Math.Round(Math.Sqrt(p * h * w), MidpointRounding.ToEven);
        if (norm == ThreatNorm.Linf) s = Math.Max(s, 1);
        else
        {
            s = Math.Max(s, 3);
            if (s % 2 == 0) s++;
        }
        return Math.Min(s, Math.Min(h, w));
    }

    /// <summary>
    /// The meta pseudo-gaussian block η of side s (unit Frobenius norm): the upper ⌊s/2⌋ rows hold nested rectangles
    /// centred on their half, each ring k (k = 1, 2, …) adding 1/k², the lower rows the same pattern negated.
    /// </summary>
    public static double[,] Eta(int s)
    {
        var d = new double[s, s];
        var top = Rectangles(s / 2, s);
        var bottom = Rectangles(s - s / 2, s);
        for (int a = 0; a < s / 2; a++) for (int b = 0; b < s; b++) d[a, b] = top[a, b];
        for (int a = 0; a < s - s / 2; a++) for (int b = 0; b < s; b++) d[s / 2 + a, b] = -bottom[a, b];
        Normalise(d);
        return d;
    }

    private static double[,] Rectangles(int x, int y)
    {
        var d = new double[x, y];
        if (x == 0 || y == 0) return d;
        int xc = x / 2 + 1, yc = y / 2 + 1;
        int c0 = xc - 1, c1 = yc - 1;
        for (int k = 0; k < Math.Max(xc, yc); k++)
        {
            double add = 1.0 / ((k + 1.0) * (k + 1.0));
            for (int a = Math.Max(c0, 0); a < Math.Min(c0 + 2 * k + 1, x); a++)
                for (int b = Math.Max(c1, 0); b < Math.Min(c1 + 2 * k + 1, y); b++)
                    d[a, b] += add;
            c0--; c1--;
        }
        Normalise(d);
        return d;
    }

    private static void Normalise(double[,] d)
    {
        double ss = 0;
        foreach (var v in d) ss += v * v;
        double norm = Math.Sqrt(ss);
        if (norm == 0) return;
        for (int a = 0; a < d.GetLength(0); a++) for (int b = 0; b < d.GetLength(1); b++) d[a, b] /= norm;
    }

    /// <summary>One Square Attack run from one initial point. State lives in fields; each iteration works in its own dispose scope.</summary>
    private sealed class SingleRun(AttackObjective objective, Tensor clean, Tensor batchIndices, ulong[] keys, SquareOptions o, CancellationToken ct) : IDisposable
    {
        public Tensor OutAdv = null!, OutSuccess = null!, OutLoss = null!;
        public int[] Queries = [];
        public int IterationsRun;

        private Tensor _rows = null!, _cols = null!;
        private Tensor? _upper, _lower;   // L∞: clip(x ± ε, 0, 1), the only values a window can take
        private readonly Dictionary<int, Tensor> _eta = new();   // side → 2×s×s (η, ηᵀ), on the device
        private int _c, _h, _w;
        private Device _dev = null!;
        private ScalarType _dtype;

        public void Execute()
        {
            int m = (int)clean.shape[0];
            (_c, _h, _w) = ((int)clean.shape[1], (int)clean.shape[2], (int)clean.shape[3]);
            _dev = clean.device;
            _dtype = clean.dtype;
            var rng = keys.Select(k => new ItemRandom(k)).ToArray();
            Queries = new int[m];
            Set(ref _rows, torch.arange(_h, ScalarType.Int64, _dev));
            Set(ref _cols, torch.arange(_w, ScalarType.Int64, _dev));
            if (o.Norm == ThreatNorm.Linf)
                using (torch.NewDisposeScope())
                {
                    _upper = (clean + o.Eps).clamp(0, 1).DetachFromDisposeScope();
                    _lower = (clean - o.Eps).clamp(0, 1).DetachFromDisposeScope();
                }

            List<int> alive;
            using (torch.NewDisposeScope())
            {
                var x0 = o.Norm == ThreatNorm.Linf ? InitLinf(rng) : InitL2(rng);
                var (loss, succ) = Query(x0, batchIndices);
                Set(ref OutAdv, x0);
                Set(ref OutLoss, loss);
                Set(ref OutSuccess, succ ?? torch.zeros(m, ScalarType.Bool, _dev));
                Array.Fill(Queries, 1);
                var s0 = succ?.cpu().data<bool>().ToArray();
                alive = Enumerable.Range(0, m).Where(j => s0 is null || !s0[j]).ToList();
            }

            for (int i = 0; i < o.Queries && alive.Count > 0; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var it = torch.NewDisposeScope();
                // While every item is still attacked, work on the state itself rather than on gathered copies.
                bool everyone = alive.Count == m;
                var aliveT = torch.tensor(alive.Select(j => (long)j).ToArray()).to(_dev);
                Tensor Rows(Tensor t) => everyone ? t : t.index_select(0, aliveT);
                var xb = Rows(OutAdv);
                var streams = alive.Select(j => rng[j]).ToArray();
                var p = o.P(i);
                var xNew = o.Norm == ThreatNorm.Linf ? ProposeLinf(Rows(_upper!), Rows(_lower!), xb, streams, p) : ProposeL2(Rows(clean), xb, streams, p);
                var (l, s) = Query(xNew, Rows(batchIndices));
                var lb = Rows(OutLoss);
                var accept = l > lb;
                if (s is not null) accept = accept.logical_or(s);
                var newLoss = torch.where(accept, l, lb);
                var newAdv = torch.where(accept.reshape(-1, 1, 1, 1), xNew, xb);
                if (everyone) { OutLoss.copy_(newLoss); OutAdv.copy_(newAdv); }
                else { OutLoss.index_copy_(0, aliveT, newLoss); OutAdv.index_copy_(0, aliveT, newAdv); }
                foreach (var j in alive) Queries[j]++;
                IterationsRun = i + 1;
                if (s is not null)
                {
                    if (everyone) OutSuccess.copy_(s); else OutSuccess.index_copy_(0, aliveT, s);
                    var sh = s.cpu().data<bool>().ToArray();
                    alive = alive.Where((_, k) => !sh[k]).ToList();
                }
            }
        }

        /// <summary>L∞ start: vertical stripes, x + ε·s with one sign per channel and column.</summary>
        private Tensor InitLinf(ItemRandom[] rng)
        {
            var signs = new float[rng.Length * _c * _w];
            int q = 0;
            foreach (var r in rng)
                for (int k = 0; k < _c * _w; k++) signs[q++] = (float)r.NextSign();
            var stripes = Host(signs, rng.Length, _c, 1, _w);
            return (clean + o.Eps * stripes).clamp(0, 1);
        }

        /// <summary>L2 start: a grid of blocks of side ⌊H/5⌋, each a signed (per channel), randomly transposed η.</summary>
        private Tensor InitL2(ItemRandom[] rng)
        {
            int m = rng.Length, s = _h / 5, sp = (_h - 5 * s) / 2;
            var delta = torch.zeros([m, _c, _h, _w], _dtype, _dev);
            var eta = EtaPair(s);
            for (int bh = 0; bh < _h / s; bh++)
            {
                int vh = sp + bh * s;
                for (int bw = 0; bw < _w / s; bw++)
                {
                    int vw = sp + bw * s;
                    // Blocks are drawn in the reference's order; one that would not fit the image is left out
                    // (the reference's grid always fits at the sizes where it runs).
                    var flips = new long[m];
                    var signs = new float[m * _c];
                    for (int j = 0; j < m; j++)
                    {
                        flips[j] = rng[j].NextDouble() > 0.5 ? 1 : 0;
                        for (int k = 0; k < _c; k++) signs[j * _c + k] = (float)rng[j].NextSign();
                    }
                    if (vh + s > _h || vw + s > _w) continue;
                    var block = eta.index_select(0, torch.tensor(flips).to(_dev)).unsqueeze(1) * Host(signs, m, _c, 1, 1);
                    delta[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(vh, vh + s), TensorIndex.Slice(vw, vw + s)].add_(block);
                }
            }
            return (clean + delta / (ThreatBall.L2(delta) + Tiny) * o.Eps).clamp(0, 1);
        }

        /// <summary>
        /// x_best + ±2ε on the window, projected onto the ball ∩ [0,1]. As x_best lies in the ball, the projection is the
        /// identity outside the window and gives exactly clip(x + ε·sign, 0, 1) inside it, so that is what is written.
        /// </summary>
        private Tensor ProposeLinf(Tensor upper, Tensor lower, Tensor xb, ItemRandom[] rng, double p)
        {
            int m = rng.Length, s = SideLength(p, _h, _w, ThreatNorm.Linf);
            var pos = new long[2 * m];
            var signs = new float[m * _c];
            for (int j = 0; j < m; j++)
            {
                pos[2 * j] = rng[j].NextInt(0, _h - s);
                pos[2 * j + 1] = rng[j].NextInt(0, _w - s);
                for (int k = 0; k < _c; k++) signs[j * _c + k] = (float)rng[j].NextSign();
            }
            var posT = torch.tensor(pos).to(_dev).reshape(m, 2);
            var (mask, _, _) = Window(posT[.., 0], posT[.., 1], s, asBool: true);
            var up = Host(signs, m, _c, 1, 1) > HeldScalars.Zero;
            return torch.where(mask, torch.where(up, upper, lower), xb);
        }

        private Tensor ProposeL2(Tensor xa, Tensor xb, ItemRandom[] rng, double p)
        {
            int m = rng.Length, s = SideLength(p, _h, _w, ThreatNorm.L2);
            var pos = new long[5 * m];
            var signs = new float[m * _c];
            for (int j = 0; j < m; j++)
            {
                pos[5 * j] = rng[j].NextInt(0, _h - s);       // window 1
                pos[5 * j + 1] = rng[j].NextInt(0, _w - s);
                pos[5 * j + 2] = rng[j].NextInt(0, _h - s);   // window 2
                pos[5 * j + 3] = rng[j].NextInt(0, _w - s);
                pos[5 * j + 4] = rng[j].NextDouble() > 0.5 ? 1 : 0;   // η transposed
                for (int k = 0; k < _c; k++) signs[j * _c + k] = (float)rng[j].NextSign();
            }
            var posT = torch.tensor(pos).to(_dev).reshape(m, 5);
            var (mask1, rowLocal, colLocal) = Window(posT[.., 0], posT[.., 1], s);
            var (mask2, _, _) = Window(posT[.., 2], posT[.., 3], s);
            // Scalars held across the ops that use them (HeldScalars says why); x·x is square() without its temporary.
            using Scalar eps = o.Eps, epsSquared = o.Eps * o.Eps, channels = _c;
            var tiny = HeldScalars.Tiny;
            var delta = xb - xa;
            var union = torch.maximum(mask1, mask2);
            var win1 = delta * mask1;
            var normsWin1 = (win1 * win1).sum([2, 3], keepdim: true).sqrt();                  // m×C×1×1
            var normsImage = ThreatBall.L2(delta);                                          // m×1×1×1
            var normsWindows = ThreatBall.L2(delta * union);                                // m×1×1×1

            // A fresh signed η placed on window 1 (zero elsewhere), via gathers from the block padded with a zero row/column.
            var eta = EtaPair(s).index_select(0, posT[.., 4]).unsqueeze(1);                  // m×1×s×s
            var padded = nn.functional.pad(eta, [0, 1, 0, 1]);                              // m×1×(s+1)×(s+1)
            var placed = padded.gather(2, rowLocal.reshape(m, 1, _h, 1).expand(m, 1, _h, s + 1))
                               .gather(3, colLocal.reshape(m, 1, 1, _w).expand(m, 1, _h, _w));   // m×1×H×W
            var fresh = placed * Host(signs, m, _c, 1, 1) + delta * mask1 / (tiny + normsWin1);
            var scale = ((epsSquared - normsImage * normsImage).clamp_min(HeldScalars.Zero) / channels + normsWindows * normsWindows).sqrt();
            fresh = fresh / (tiny + (fresh * fresh).sum([2, 3], keepdim: true).sqrt()) * scale;
            var moved = delta * (HeldScalars.One - union) + fresh;
            return (xa + moved / (ThreatBall.L2(moved) + tiny) * eps).clamp(HeldScalars.Zero, HeldScalars.One);
        }

        /// <summary>
        /// Per item the s×s window at (vh, vw): its mask (m×1×H×W, in the images' dtype) and, per row and column, the
        /// offset inside the window (s outside it).
        /// </summary>
        private (Tensor Mask, Tensor RowLocal, Tensor ColLocal) Window(Tensor vh, Tensor vw, int s, bool asBool = false)
        {
            using Scalar side = s;   // held across the ops (HeldScalars says why)
            var rl = _rows.unsqueeze(0) - vh.unsqueeze(1);   // m×H
            var cl = _cols.unsqueeze(0) - vw.unsqueeze(1);   // m×W
            var inH = rl.ge(HeldScalars.Zero).logical_and(rl.lt(side));
            var inW = cl.ge(HeldScalars.Zero).logical_and(cl.lt(side));
            var mask = inH.unsqueeze(1).unsqueeze(3).logical_and(inW.unsqueeze(1).unsqueeze(2));
            if (!asBool) mask = mask.to(_dtype);
            var full = torch.full_like(rl, side);
            return (mask, torch.where(inH, rl, full), torch.where(inW, cl, torch.full_like(cl, side)));
        }

        /// <summary>(η, ηᵀ) of side s, 2×s×s on the device, built once per side.</summary>
        private Tensor EtaPair(int s)
        {
            if (!_eta.TryGetValue(s, out var t))
            {
                var e = Eta(s);
                var flat = new float[2 * s * s];
                for (int a = 0; a < s; a++)
                    for (int b = 0; b < s; b++) { flat[a * s + b] = (float)e[a, b]; flat[s * s + a * s + b] = (float)e[b, a]; }
                t = torch.tensor(flat).reshape(2, s, s).to(_dtype).to(_dev).DetachFromDisposeScope();
                _eta[s] = t;
            }
            return t;
        }

        private Tensor Host(float[] values, params long[] shape) => torch.tensor(values).reshape(shape).to(_dtype).to(_dev);

        /// <summary>Loss and success flags at x (no gradient), in the caller's dispose scope.</summary>
        private (Tensor Loss, Tensor? Success) Query(Tensor x, Tensor indices)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var v = objective(x, indices);
            if (v.Loss.dim() != 1 || v.Loss.shape[0] != x.shape[0])
                throw new InvalidOperationException($"attack objective returned loss of shape [{string.Join(",", v.Loss.shape)}], expected [{x.shape[0]}]");
            var loss = v.Loss.detach().to(ScalarType.Float32).MoveToOuterDisposeScope();
            var succ = v.Success?.detach().to(ScalarType.Bool).MoveToOuterDisposeScope();
            return (loss, succ);
        }

        /// <summary>Replaces a state tensor, held outside every dispose scope (freed at once, so memory stays flat).</summary>
        private static void Set(ref Tensor field, Tensor value)
        {
            var v = value.DetachFromDisposeScope();
            if (!ReferenceEquals(field, v)) field?.Dispose();
            field = v;
        }

        public void Dispose()
        {
            foreach (var t in new[] { OutAdv, OutSuccess, OutLoss, _rows, _cols, _upper, _lower }) t?.Dispose();
            foreach (var t in _eta.Values) t.Dispose();
            _eta.Clear();
        }
    }
}
