using Portal.Engine.Records;
using System.Diagnostics;
using Portal.Engine.Attacks;
using Portal.Engine.Progress;
using Portal.Engine.Retrieval;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Detection;

/// <summary>
/// Detection by retrieval (paper §V-A): every query gets the class of its nearest pool image (cosine similarity), and
/// optionally the classifier and combined decisions; the breakdown per true class is the paper's Table III. Under
/// attack (APGD, or the Square Attack on the same loss and success), the queries of each direction's source class are
/// pushed towards the target class (Eq. 5) and the breakdown is recomputed. Pool and target embeddings are cached per model and image; records go to the store per batch and
/// stored ones are skipped, so a killed run resumes to the same numbers.
/// </summary>
public static class DetectionTask
{
    public static DetectionResult Run(
        RetrievalEmbeddings embedder,
        UnsafeClassifier? classifier,
        DetectionDataset dataset,
        DetectionOptions options,
        IRecordStore<DetectionRecord>? store,
        IProgress<EvaluationProgress>? progress,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var classes = dataset.Classes;
        var pool = classes.SelectMany(c => dataset.Pools[c]).ToList();
        var poolClass = classes.SelectMany((c, i) => dataset.Pools[c].Select(_ => i)).ToList();
        var queries = classes.ToDictionary(c => c, c => (options.LimitPerClass is int l ? dataset.Queries[c].Take(Math.Max(l, 0)) : dataset.Queries[c]).ToList());
        // Success = the detector's decision is the target class: both attacks stop a query there.
        var attack = EmbeddingAttacks.Plan(options.Attack, dropSucceeded: true);
        var directions = attack == null ? [] : (options.Directions ?? DefaultDirections(classes)).ToList();
        foreach (var d in directions)
        {
            foreach (var c in new[] { d.Source, d.Target })
                if (!classes.Contains(c)) throw new ArgumentException($"direction {d}: no class '{c}' (classes: {string.Join(", ", classes)})");
            if (dataset.Targets[d.Target].Count == 0)
                throw new ArgumentException($"direction {d}: the attack needs target images in targets/{d.Target} (not in the pools)");
        }

        using var poolEmb = embedder.EmbedImages(pool, "embedding pools", progress, ct);
        using var detectors = new Detectors(embedder, classifier, classes, pool, poolClass, poolEmb);
        var targetsUsed = directions.Select(d => d.Target).Distinct().ToDictionary(t => t, t => dataset.Targets[t].Take(Math.Max(options.TargetCount, 1)).ToList());
        var targetEmb = targetsUsed.ToDictionary(kv => kv.Key, kv => embedder.EmbedImages(kv.Value, "embedding targets", progress, ct).to(embedder.Model.Device));

        var done = new Dictionary<string, DetectionRecord>();
        if (store != null) foreach (var r in store.LoadCompleted()) done[r.Key] = r;
        int resumed = done.Count;

        // Work units: clean decisions of every query, then each (detector, direction) attack.
        var units = new List<(string Detector, DetectionDirection? Dir, List<RetrievalImage> Items, string TrueClass)>();
        foreach (var c in classes) units.Add(("*", null, queries[c], c));
        foreach (var d in directions)
            foreach (var det in detectors.Names.Where(n => detectors.CanTarget(n, d.Target)))
                units.Add((det, d, queries[d.Source], d.Source));
        int total = units.Sum(u => u.Dir == null ? u.Items.Count * detectors.Names.Count : u.Items.Count);

        var primary = detectors.Names[^1];
        EvidenceWriter? evidence = null;
        HashSet<string> sample = [];
        if (options.ArtifactsDir != null && options.ArtifactCount > 0 && directions.Count > 0)
        {
            evidence = new EvidenceWriter(options.ArtifactsDir, new EvidenceIndex
            {
                Kind = "detection", Benchmark = dataset.Name, Model = embedder.Model.Name,
                Norm = ApgdOptions.NormName(attack!.Norm), Eps = attack.Eps, SensitiveClasses = options.SensitiveClasses, Items = [],
            });
            sample = EvidenceWriter.Sample(directions.SelectMany(d => queries[d.Source].Select(q => DetectionRecord.KeyOf(primary, d.Target, q.Id))), options.ArtifactCount, options.Attack.Seed);
        }

        int computed = 0;
        void Report(string phase)
        {
            TimeSpan? eta = computed > 0 ? TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / computed * Math.Max(total - done.Count, 0)) : null;
            progress?.Report(new EvaluationProgress(phase, Math.Min(done.Count, total), total, null, null, eta, new Dictionary<string, double> { ["resumed"] = resumed }));
        }
        Report(resumed > 0 ? "resuming" : "detecting");

        try
        {
            foreach (var u in units)
                foreach (var batch in u.Items.Chunk(Math.Max(options.BatchSize, 1)))
                {
                    ct.ThrowIfCancellationRequested();
                    var keys = u.Dir == null
                        ? batch.SelectMany(q => detectors.Names.Select(n => DetectionRecord.KeyOf(n, null, q.Id))).ToList()
                        : batch.Select(q => DetectionRecord.KeyOf(u.Detector, u.Dir.Target, q.Id)).ToList();
                    if (keys.All(done.ContainsKey)) continue;
                    var recs = u.Dir == null
                        ? CleanBatch(detectors, batch, u.TrueClass)
                        : AttackBatch(detectors, batch, u.TrueClass, u.Detector, u.Dir.Target, targetEmb[u.Dir.Target], attack!, options, evidence, sample, ct);
                    var fresh = recs.Where(r => !done.ContainsKey(r.Key)).ToList();
                    if (fresh.Count > 0) store?.Append(fresh);
                    foreach (var r in fresh) done[r.Key] = r;
                    computed += fresh.Count;
                    Report(u.Dir == null ? "detecting" : $"attacking {u.Detector} {u.Dir}");
                }
        }
        finally
        {
            foreach (var t in targetEmb.Values) t.Dispose();
        }

        var wanted = units.SelectMany(u => u.Dir == null
            ? u.Items.SelectMany(q => detectors.Names.Select(n => DetectionRecord.KeyOf(n, null, q.Id)))
            : u.Items.Select(q => DetectionRecord.KeyOf(u.Detector, u.Dir.Target, q.Id))).ToList();
        var final = wanted.Where(done.ContainsKey).Select(k => done[k]).ToList();
        Report("done");
        var attacked = final.Where(r => r.Target != null).ToList();
        return new DetectionResult
        {
            Benchmark = dataset.Name,
            Classes = classes,
            TwoClass = dataset.TwoClass,
            SensitiveClasses = options.SensitiveClasses,
            PoolSizes = classes.ToDictionary(c => c, c => dataset.Pools[c].Count),
            QuerySizes = classes.ToDictionary(c => c, c => queries[c].Count),
            TargetsUsed = targetsUsed.ToDictionary(kv => kv.Key, kv => kv.Value.Count),
            Attack = options.Attack,
            Detectors = detectors.Names.Select(n => Breakdown(n, classes, final, directions, attack?.Square)).ToList(),
            ClassifierOutput = classifier?.Output.ToString().ToLowerInvariant(),
            ClassifierThreshold = classifier?.Threshold,
            Sanity = attack == null ? [] : PerturbationChecks.For(attacked.Select(r => r.PerturbationNorm ?? 0), attacked.Select(r => r.RangeViolation ?? 0), attack,
                $"{attacked.Count} attacked queries", PerturbationChecks.Elements(embedder.Model.Preprocessing)).ToList(),
            EngineVersion = EngineInfo.Version,
            Device = embedder.Model.Device.ToString(),
            WallSeconds = clock.Elapsed.TotalSeconds,
            ResumedRecords = resumed,
            ArtifactsIndex = evidence?.IndexPath,
            Records = final,
        };
    }

    public static IEnumerable<DetectionDirection> DefaultDirections(IReadOnlyList<string> classes)
    {
        if (classes.Contains(DetectionDataset.Unsafe) && classes.Contains(DetectionDataset.Safe))
        {
            yield return new DetectionDirection(DetectionDataset.Unsafe, DetectionDataset.Safe);
            yield return new DetectionDirection(DetectionDataset.Safe, DetectionDataset.Unsafe);
        }
    }

    private static List<DetectionRecord> CleanBatch(Detectors det, RetrievalImage[] batch, string trueClass)
    {
        using var scope = torch.NewDisposeScope();
        var x = RetrievalImages.PrepareBatch(batch, det.Embedder.Model.Preprocessing).to(det.Embedder.Model.Device);
        using var _ = torch.no_grad();
        var emb = det.Embedder.Embed(x);
        var margin = det.Classifier?.Margin(x);
        var score = det.Classifier?.Score(x);
        var (nnSim, nnIdx) = Nearest(det, emb);
        var recs = new List<DetectionRecord>();
        foreach (var name in det.Names)
        {
            var decided = Longs(det.Decide(name, emb, margin));
            var scores = score is null ? null : Doubles(score);
            for (int b = 0; b < batch.Length; b++)
                recs.Add(new DetectionRecord(DetectionRecord.KeyOf(name, null, batch[b].Id), batch[b].Id, trueClass, name, null, det.Classes[(int)decided[b]])
                {
                    NearestId = name == Detectors.ClassifierName ? null : det.Pool[(int)nnIdx[b]].Id,
                    NearestSimilarity = name == Detectors.ClassifierName ? null : nnSim[b],
                    ClassifierScore = name == Detectors.RetrievalName ? null : scores?[b],
                });
        }
        return recs;
    }

    private static List<DetectionRecord> AttackBatch(Detectors det, RetrievalImage[] batch, string trueClass, string detector, string target,
        Tensor targetsNormalized, AttackPlan attack, DetectionOptions options, EvidenceWriter? evidence, HashSet<string> sample, CancellationToken ct)
    {
        using var scope = torch.NewDisposeScope();
        var model = det.Embedder.Model;
        var x = RetrievalImages.PrepareBatch(batch, model.Preprocessing).to(model.Device);
        var keys = ItemSeed.For(attack.Seed, batch.Select(q => DetectionRecord.KeyOf(detector, target, q.Id)));
        using var res = attack.Run(det.Objective(detector, target, targetsNormalized), x, keys, ct);
        var adv = res.Adversarial;
        var (norms, range) = EmbeddingAttacks.Check(adv, x, attack.Norm);
        using var _ = torch.no_grad();
        var (emb, margin) = det.Forward(adv, detector);
        var decided = Longs(det.Decide(detector, emb, margin));
        var score = detector == Detectors.RetrievalName ? null : Doubles(det.Classifier!.Score(adv));
        (double[] Sim, long[] Idx)? nn = emb is null ? null : Nearest(det, emb);
        var recs = new List<DetectionRecord>();
        for (int b = 0; b < batch.Length; b++)
        {
            var rec = new DetectionRecord(DetectionRecord.KeyOf(detector, target, batch[b].Id), batch[b].Id, trueClass, detector, target, det.Classes[(int)decided[b]])
            {
                NearestId = nn is { } n ? det.Pool[(int)n.Idx[b]].Id : null,
                NearestSimilarity = nn?.Sim[b],
                ClassifierScore = score?[b],
                PerturbationNorm = norms[b],
                RangeViolation = range[b],
                AttackQueries = res.Queries?[b],
            };
            recs.Add(rec);
            if (evidence != null && sample.Contains(rec.Key))
                WriteEvidence(evidence, det, batch[b], trueClass, detector, target, x[b], adv[b], rec, options);
        }
        return recs;
    }

    private static (double[] Sim, long[] Idx) Nearest(Detectors det, Tensor emb)
    {
        using var scope = torch.NewDisposeScope();
        var (v, i) = det.PoolSimilarities(emb).max(1);
        return (Doubles(v), Longs(i));
    }

    private static void WriteEvidence(EvidenceWriter w, Detectors det, RetrievalImage q, string trueClass, string detector, string target,
        Tensor x, Tensor adv, DetectionRecord rec, DetectionOptions options)
    {
        using var scope = torch.NewDisposeScope();
        var sens = options.SensitiveClasses.ToHashSet();
        var name = EvidenceWriter.SafeName(rec.Key);
        Tensor e, ea;
        Tensor? m, ma;
        using (torch.no_grad())
        {
            e = det.Embedder.Embed(x.unsqueeze(0));
            ea = det.Embedder.Embed(adv.unsqueeze(0));
            m = det.Classifier?.Margin(x.unsqueeze(0));
            ma = det.Classifier?.Margin(adv.unsqueeze(0));
        }
        string ClassOf(int poolIdx) => det.Classes[Array.FindIndex(det.Classes.ToArray(), c => det.Pool[poolIdx].Id.StartsWith($"pools/{c}/", StringComparison.Ordinal))];
        List<EvidenceNeighbour> Rows(Tensor emb)
        {
            var sims = det.PoolSimilarities(emb)[0].cpu().data<float>().ToArray();
            return Ranking.Descending(sims).Take(options.TopK).Select((i, r) =>
            {
                var cls = ClassOf(i);
                return new EvidenceNeighbour(r + 1, det.Pool[i].Id, w.Thumbnail(det.Pool[i]), sims[i], cls, sens.Contains(cls));
            }).ToList();
        }
        string Decision(Tensor emb, Tensor? mm) => det.Classes[(int)Longs(det.Decide(detector, detector == Detectors.ClassifierName ? null : emb, mm))[0]];
        w.Add(new EvidenceItem
        {
            Id = rec.Key,
            Query = w.SaveImage(x, "queries", name),
            Adversarial = w.SaveImage(adv, "adversarial", name),
            Perturbation = w.SavePerturbation(adv, x, options.Attack.Eps, name),
            QuerySensitive = sens.Contains(trueClass),
            TrueClass = trueClass,
            Target = target,
            Detector = detector,
            CleanDecision = Decision(e, m),
            AdversarialDecision = rec.Assigned,
            PerturbationNorm = rec.PerturbationNorm,
            Clean = Rows(e),
            Attacked = Rows(ea),
        });
    }

    /// <summary>Table III rows for one detector: clean per true class, and per attack direction (with the Square
    /// Attack's query statistics per direction when <paramref name="square"/> is given).</summary>
    public static DetectorResult Breakdown(string detector, IReadOnlyList<string> classes, IReadOnlyList<DetectionRecord> records,
        IReadOnlyList<DetectionDirection> directions, SquareOptions? square = null)
    {
        Dictionary<string, double> Fractions(List<DetectionRecord> rs) =>
            classes.ToDictionary(c => c, c => rs.Count == 0 ? 0 : rs.Count(r => r.Assigned == c) / (double)rs.Count);
        var clean = classes.Select(c =>
        {
            var rs = records.Where(r => r.Detector == detector && r.Target == null && r.TrueClass == c).ToList();
            return new DetectionBreakdown(c, rs.Count, Fractions(rs));
        }).Where(b => b.N > 0).ToList();
        var attacked = directions.Select(d =>
        {
            var rs = records.Where(r => r.Detector == detector && r.Target == d.Target && r.TrueClass == d.Source).ToList();
            return new DetectionAttackBreakdown(d.Source, d.Target, rs.Count, Fractions(rs), rs.Count == 0 ? 0 : rs.Count(r => r.Assigned == d.Target) / (double)rs.Count)
            {
                QueryStats = square == null ? null
                    : QueryCounts.Summarise(rs.Where(r => r.AttackQueries.HasValue).Select(r => (r.AttackQueries!.Value, r.Assigned == d.Target)).ToList(), square.Queries),
            };
        }).Where(b => b.N > 0).ToList();
        return new DetectorResult(detector, clean, attacked);
    }

    private static long[] Longs(Tensor t) => t.to(ScalarType.Int64).cpu().data<long>().ToArray();
    private static double[] Doubles(Tensor t) => t.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
}
