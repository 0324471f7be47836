using System.Diagnostics;
using Portal.Engine.Attacks;
using Portal.Engine.Datasets;
using Portal.Engine.Metric;
using Portal.Engine.Progress;
using Portal.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using Portal.Engine.Records;

namespace Portal.Engine.TwoAfc;

/// <summary>
/// The 2AFC benchmark: clean and (optionally) robust agreement with human judgements, under APGD (white-box) or the
/// Square Attack (black-box, <see cref="AttackConfig.Queries"/> queries).
/// Items are processed in fixed batches of <see cref="TwoAfcOptions.BatchSize"/> in list order; each batch's per-item
/// results go to the store at once, and items already in the store are skipped, so a killed run resumes to the same
/// numbers (a partly stored batch is recomputed whole, so its attack sees the same batch as before).
/// </summary>
public static class TwoAfcTask
{
    /// <summary>Runs on a reader's output: its bad items stop the run (listed by path) unless they may be skipped.</summary>
    public static TwoAfcResult Run(
        IPerceptualModel model,
        TwoAfcDatasetLoad load,
        TwoAfcOptions options,
        IRecordStore<TwoAfcItemResult>? store,
        IProgress<EvaluationProgress>? progress,
        CancellationToken ct,
        IPerceptualModel? attackModel = null)
    {
        if (load.Bad.Count > 0 && !options.SkipBadItems) throw new TwoAfcBadItemsException(load.Bad);
        var r = Run(model, load.Items, load.Name, options, store, progress, ct, attackModel);
        var bad = load.Bad.Concat(r.BadItems).ToList();
        return r with { BadItems = bad, SkippedItems = bad.Select(b => b.Id).Distinct().Count() };
    }

    public static TwoAfcResult Run(
        IPerceptualModel model,
        IReadOnlyList<TwoAfcItem> items,
        string benchmark,
        TwoAfcOptions options,
        IRecordStore<TwoAfcItemResult>? store,
        IProgress<EvaluationProgress>? progress,
        CancellationToken ct,
        IPerceptualModel? attackModel = null)
    {
        var clock = Stopwatch.StartNew();
        // Another precision searches with its own copy of the encoder; the task's model scores everything, adversarial
        // references included, so every number reported is a float32 number of the metric the board names.
        if ((options.Attack.Precision != null) != (attackModel != null))
            throw new ArgumentException(options.Attack.Precision != null
                ? $"attack precision '{options.Attack.Precision}' needs the encoder in that precision (attackModel)"
                : "an attack model was given but the attack's precision is float32");
        var searcher = attackModel ?? model;
        var list = (options.Limit is int limit ? items.Take(Math.Max(limit, 0)) : items).ToList();
        var dup = list.GroupBy(i => i.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new ArgumentException($"item id '{dup.Key}' occurs {dup.Count()} times; ids must be unique");
        var ids = list.Select(i => i.Id).ToHashSet();
        var attack = TwoAfcAttack.Plan(options.Attack, options.DropFooled);
        int batchSize = Math.Max(options.BatchSize, 1);

        var done = new Dictionary<string, TwoAfcItemResult>();
        if (store != null)
            foreach (var r in store.LoadCompleted())
                if (ids.Contains(r.Id)) done[r.Id] = r;
        int resumed = done.Count;
        var bad = new List<BadItem>();
        var sanity = new List<SanityCheck>();
        int computedThisRun = 0;

        void Report(string phase)
        {
            var finished = done.Values.ToList();
            int badCount = bad.Select(b => b.Id).Distinct().Count();
            int remaining = list.Count - finished.Count - badCount;
            TimeSpan? eta = computedThisRun > 0 ? TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / computedThisRun * Math.Max(remaining, 0)) : null;
            progress?.Report(new EvaluationProgress(phase, finished.Count + badCount, list.Count,
                finished.Count > 0 ? finished.Average(f => f.CleanCorrect ? 1.0 : 0.0) : null,
                attack != null && finished.Count > 0 ? finished.Average(f => f.RobustCorrect == true ? 1.0 : 0.0) : null,
                eta,
                new Dictionary<string, double> { ["resumed"] = resumed, ["skipped"] = badCount }));
        }

        var batches = list.Chunk(batchSize).ToList();
        Report(resumed > 0 ? "resuming" : "starting");

        // Images of the next batch are decoded and resized while this one is evaluated (same images, same numbers).
        var pending = batches.Where(b => !b.All(i => done.ContainsKey(i.Id))).ToList();
        using var prefetch = new Prefetch<TwoAfcBatchImages>(pending.Count, k => TwoAfcBatchImages.Load(pending[k], model, options.CandidateCache), "decode + resize images");
        prefetch.Start();
        // The ε = 0 check attacks the first batch; when the loop evaluates it too, both use the one decoded copy.
        TwoAfcBatchImages? first = null;
        try
        {
            if (attack != null && options.ZeroEpsCheckIterations > 0 && batches.Count > 0)
            {
                if (pending.Count > 0 && ReferenceEquals(pending[0], batches[0])) first = prefetch.Take(0);
                using var own = first == null ? LoadOnThisThread(batches[0], model, options.CandidateCache) : null;
                sanity.Add(ZeroEpsCheck(model, searcher, first ?? own!, attack.ZeroEps(options.ZeroEpsCheckIterations), options.CandidateCache, ct));
            }
            for (int k = 0; k < pending.Count; k++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                using var images = k == 0 && first != null ? first : prefetch.Take(k);
                first = null;
                if (images.Bad.Count > 0)
                {
                    if (!options.SkipBadItems) throw new TwoAfcBadItemsException(images.Bad);
                    bad.AddRange(images.Bad);
                }
                var results = EvaluateBatch(model, searcher, images, attack, options.CandidateCache, ct);
                var fresh = results.Where(r => !done.ContainsKey(r.Id)).ToList();
                using (Profile.Phase("store per-item results"))
                    if (fresh.Count > 0) store?.Append(fresh);
                foreach (var r in fresh) done[r.Id] = r;
                computedThisRun += images.Items.Count;
                Report("evaluating");
            }
        }
        finally
        {
            first?.Dispose();   // taken for the ε = 0 check, never reached the loop (the check or cancellation threw)
        }

        IReadOnlyList<EpsSweepPoint>? sweep = null;
        if (attack != null && options.EpsSweep is { Count: > 0 })
        {
            sweep = EpsSweep(model, searcher, list.Take(Math.Max(options.SweepItems, 1)).ToList(), attack, options.EpsSweep, options.CandidateCache, ct);
            var rise = sweep.Zip(sweep.Skip(1), (p, q) => q.RobustAccuracy - p.RobustAccuracy).DefaultIfEmpty(0).Max();
            sanity.Add(new SanityCheck("eps_sweep_nonincreasing", rise <= 1e-12, Math.Max(rise, 0), 0,
                "robust accuracy over the ε sweep: " + string.Join(", ", sweep.Select(p => $"ε={p.Eps:G4}: {p.RobustAccuracy:P1}"))));
        }

        var final = list.Where(i => done.ContainsKey(i.Id)).Select(i => done[i.Id]).ToList();
        if (attack != null)
            sanity.InsertRange(0, PerturbationChecks.For(final.Where(r => r.PerturbationNorm.HasValue).Select(r => r.PerturbationNorm!.Value),
                final.Where(r => r.RangeViolation.HasValue).Select(r => r.RangeViolation!.Value), attack,
                $"{final.Count(r => r.RobustCorrect.HasValue)} items", PerturbationChecks.Elements(model.Preprocessing)));
        Report("done");
        return Summarise(benchmark, final, options.Attack, sanity, model, clock.Elapsed.TotalSeconds) with
        {
            QueryStats = attack?.Square is { } sq ? QueryStats(final, sq) : null,
            BadItems = bad,
            SkippedItems = bad.Select(b => b.Id).Distinct().Count(),
            ResumedItems = resumed,
            EpsSweep = sweep,
        };
    }

    /// <summary>Clean scores, then the attack on the clean-correct triplets (the others are already non-robust).</summary>
    /// <param name="searcher">The model the attack's forward/backward passes run on (the task's model, or its copy in
    /// another precision); clean and adversarial scoring use <paramref name="model"/>.</param>
    private static List<TwoAfcItemResult> EvaluateBatch(IPerceptualModel model, IPerceptualModel searcher, TwoAfcBatchImages images, AttackPlan? attack,
        CandidateEmbeddings? candidates, CancellationToken ct)
    {
        var items = images.Items;
        var results = new List<TwoAfcItemResult>();
        if (items.Count == 0) return results;
        using var scope = torch.NewDisposeScope();
        var dev = model.Device;
        var refs = images.Refs.to(dev);
        var label = torch.tensor(items.Select(i => (long)i.HardLabel).ToArray()).to(dev);
        Tensor eRef, e0, e1;
        using (torch.no_grad())
        {
            using (Profile.Phase("embed references"))
                eRef = model.Embed(refs);
            // Candidates are embedded once: the attack never touches them (and other runs may have embedded them already).
            using (Profile.Phase("embed candidates (x0, x1)"))
            {
                var both = CandidateEmbeddingsOf(model, images, candidates);
                e0 = both[TensorIndex.Slice(0, items.Count)];
                e1 = both[TensorIndex.Slice(items.Count, 2 * items.Count)];
            }
        }
        var logits = TwoAfcScoring.Logits(model, eRef, e0, e1).detach();
        var correct = ToBools(TwoAfcScoring.Correct(logits, label));
        var margin = ToDoubles(TwoAfcScoring.Margin(logits, label));
        var sims = ToDoubles(logits.flatten());

        var robust = new bool?[items.Count];
        var robustMargin = new double?[items.Count];
        var norms = new double?[items.Count];
        var range = new double?[items.Count];
        var queries = new int?[items.Count];
        if (attack != null)
        {
            var attackedIdx = Enumerable.Range(0, items.Count).Where(i => correct[i]).ToArray();
            for (int i = 0; i < items.Count; i++)
                if (!correct[i]) { robust[i] = false; robustMargin[i] = margin[i]; norms[i] = 0; range[i] = 0; queries[i] = attack.Square != null ? 0 : null; }
            if (attackedIdx.Length > 0)
            {
                var idx = torch.tensor(attackedIdx.Select(i => (long)i).ToArray()).to(dev);
                var cleanRefs = refs.index_select(0, idx);
                var keys = ItemSeed.For(attack.Seed, attackedIdx.Select(i => items[i].Id));
                Tensor adversarial;
                IReadOnlyList<int>? spent = null;
                var attackPhase = Profile.Phase("attack");   // ended below, before rescoring (an exception ends the profile anyway)
                if (attack.Apgd != null)
                {
                    using var res = TwoAfcAttack.Run(searcher, cleanRefs, e0.index_select(0, idx), e1.index_select(0, idx), label.index_select(0, idx), keys, attack.Apgd, ct);
                    adversarial = res.Adversarial.clone();
                }
                else
                {
                    using var res = TwoAfcAttack.RunSquare(searcher, cleanRefs, e0.index_select(0, idx), e1.index_select(0, idx), label.index_select(0, idx), keys, attack.Square!, ct);
                    adversarial = res.Adversarial.clone();
                    spent = res.Queries;
                }
                attackPhase.Dispose();
                using var scorePhase = Profile.Phase("score adversarial references");
                Tensor advLogits;
                using (torch.no_grad())
                    advLogits = TwoAfcScoring.Logits(model, model.Embed(adversarial), e0.index_select(0, idx), e1.index_select(0, idx));
                var y = label.index_select(0, idx);
                // Robust correctness is recomputed on the returned images with the same rule as clean accuracy (as the paper does).
                var rc = ToBools(TwoAfcScoring.Correct(advLogits, y));
                var rm = ToDoubles(TwoAfcScoring.Margin(advLogits, y));
                var n = ThreatBall.Norms(adversarial - cleanRefs, attack.Norm);
                var adv64 = adversarial.to(ScalarType.Float64).flatten(1);
                var below = ToDoubles((-adv64.amin([1])).clamp_min(0));
                var above = ToDoubles((adv64.amax([1]) - 1).clamp_min(0));
                for (int j = 0; j < attackedIdx.Length; j++)
                {
                    int i = attackedIdx[j];
                    robust[i] = rc[j]; robustMargin[i] = rm[j]; norms[i] = n[j]; range[i] = Math.Max(below[j], above[j]);
                    if (spent != null) queries[i] = spent[j];
                }
            }
        }
        for (int i = 0; i < items.Count; i++)
        {
            var it = items[i];
            double? lpips = it.FractionalLabel ? TwoAfcScoring.LpipsScore(sims[2 * i], sims[2 * i + 1], it.Label) : null;
            results.Add(new TwoAfcItemResult(it.Id, it.Split, it.Label, correct[i], robust[i], margin[i], robustMargin[i], lpips)
            {
                PerturbationNorm = norms[i],
                RangeViolation = range[i],
                Queries = queries[i],
            });
        }
        return results;
    }

    /// <summary>[x0; x1] embedded as one 2N batch, or the exact floats of an earlier run of this batch (vector representations only).</summary>
    private static Tensor CandidateEmbeddingsOf(IPerceptualModel model, TwoAfcBatchImages images, CandidateEmbeddings? candidates)
    {
        var key = candidates == null ? null : images.CandidateKey;
        if (key != null && candidates!.Cache.TryGet(candidates.ModelKey, key, out var cached) && cached.Length % (2 * images.Items.Count) == 0)
            return torch.tensor(cached, [2 * images.Items.Count, cached.Length / (2 * images.Items.Count)], ScalarType.Float32).to(model.Device);
        var both = model.Embed(torch.cat([images.X0, images.X1], 0).to(model.Device));
        // Pixel baselines' representation is the image itself: nothing worth keeping.
        if (key != null && both.dim() == 2 && both.dtype == ScalarType.Float32)
            candidates!.Cache.Put(candidates.ModelKey, key, both.cpu().data<float>().ToArray());
        return both;
    }

    private static TwoAfcBatchImages LoadOnThisThread(IReadOnlyList<TwoAfcItem> batch, IPerceptualModel model, CandidateEmbeddings? candidates)
    {
        using (Profile.Phase("decode + resize images")) return TwoAfcBatchImages.Load(batch, model, candidates);
    }

    /// <summary>ε = 0 must reproduce clean accuracy: attack the first batch with a zero budget.</summary>
    private static SanityCheck ZeroEpsCheck(IPerceptualModel model, IPerceptualModel searcher, TwoAfcBatchImages images, AttackPlan zero, CandidateEmbeddings? candidates, CancellationToken ct)
    {
        using var scope = torch.NewDisposeScope();
        var r = EvaluateBatch(model, searcher, images, zero, candidates, ct);
        if (r.Count == 0) return new SanityCheck("zero_eps_reproduces_clean", true, 0, 0, "no readable item in the first batch");
        double clean = r.Average(x => x.CleanCorrect ? 1.0 : 0.0), rob = r.Average(x => x.RobustCorrect == true ? 1.0 : 0.0);
        return new SanityCheck("zero_eps_reproduces_clean", clean == rob, Math.Abs(clean - rob), 0,
            $"first batch ({r.Count} items), {zero.Budget} at ε = 0: clean {clean:P2}, robust {rob:P2}");
    }

    private static List<EpsSweepPoint> EpsSweep(IPerceptualModel model, IPerceptualModel searcher, IReadOnlyList<TwoAfcItem> items, AttackPlan attack, IReadOnlyList<double> epss,
        CandidateEmbeddings? candidates, CancellationToken ct)
    {
        var points = new List<EpsSweepPoint>();
        foreach (var eps in epss.Order())
        {
            var all = new List<TwoAfcItemResult>();
            foreach (var batch in items.Chunk(32))
            {
                using var scope = torch.NewDisposeScope();
                using var images = TwoAfcBatchImages.Load(batch, model, candidates);
                all.AddRange(EvaluateBatch(model, searcher, images, attack.WithEps(eps), candidates, ct));
            }
            points.Add(new EpsSweepPoint(eps, all.Count, all.Count == 0 ? 0 : all.Average(r => r.RobustCorrect == true ? 1.0 : 0.0)));
        }
        return points;
    }

    /// <summary>Queries per attacked triplet (clean-correct ones) and per broken triplet (attacked and fooled).</summary>
    public static QueryStatistics QueryStats(IReadOnlyList<TwoAfcItemResult> results, SquareOptions square) =>
        QueryCounts.Summarise(results.Where(r => r.CleanCorrect && r.RobustCorrect.HasValue)
            .Select(r => (r.Queries ?? 0, r.RobustCorrect == false && r.Queries.HasValue)).ToList(), square.Queries);

    /// <summary>Overall and per-split accuracies (and LPIPS scores where labels are fractional).</summary>
    public static TwoAfcResult Summarise(string benchmark, IReadOnlyList<TwoAfcItemResult> results, AttackConfig attack,
        IReadOnlyList<SanityCheck> sanity, IPerceptualModel model, double wallSeconds)
    {
        bool attacked = attack.IsAttack;
        SplitResult Of(IReadOnlyList<TwoAfcItemResult> rs)
        {
            var lp = rs.Where(r => r.LpipsScore.HasValue).ToList();
            return new SplitResult(rs.Count,
                rs.Count == 0 ? 0 : rs.Average(r => r.CleanCorrect ? 1.0 : 0.0),
                attacked ? (rs.Count == 0 ? 0 : rs.Average(r => r.RobustCorrect == true ? 1.0 : 0.0)) : null,
                lp.Count > 0 ? lp.Average(r => r.LpipsScore!.Value) : null);
        }
        var overall = Of(results);
        var splits = results.GroupBy(r => r.Split).ToDictionary(g => g.Key, g => Of(g.ToList()));
        return new TwoAfcResult
        {
            Benchmark = benchmark,
            N = overall.N,
            CleanAccuracy = overall.CleanAccuracy,
            RobustAccuracy = overall.RobustAccuracy,
            LpipsScore = overall.LpipsScore,
            Splits = splits,
            Attack = attack,
            Sanity = sanity,
            EngineVersion = EngineInfo.Version,
            Device = model.Device.ToString(),
            WallSeconds = wallSeconds,
            Items = results,
        };
    }

    private static bool[] ToBools(Tensor t) => t.to(ScalarType.Bool).cpu().data<bool>().ToArray();
    private static double[] ToDoubles(Tensor t) => t.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
}
