using Portal.Engine.Records;
using System.Diagnostics;
using Portal.Engine.Attacks;
using Portal.Engine.Progress;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Retrieval;

/// <summary>
/// Image retrieval, clean and under the untargeted query attack (APGD, or the Square Attack on the same loss). Database embeddings are computed once (and cached
/// per model and image); queries are processed in batches of <see cref="RetrievalOptions.BatchSize"/> in list order,
/// each batch's records go to the store at once and stored queries are skipped, so a killed run resumes to the same
/// numbers (random starts are per query, <see cref="ItemSeed"/>). Revisitop datasets get per-query AP and P@κ for the
/// Medium and Hard protocols; every dataset gets the top-k neighbours clean and under attack.
/// </summary>
public static class RetrievalTask
{
    public static readonly RevisitopProtocol[] Protocols = [RevisitopProtocol.Medium, RevisitopProtocol.Hard];

    public static RetrievalResult Run(
        RetrievalEmbeddings embedder,
        RetrievalDataset dataset,
        RetrievalOptions options,
        IRecordStore<RetrievalQueryRecord>? store,
        IProgress<EvaluationProgress>? progress,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var model = embedder.Model;
        int nq = options.Limit is int l ? Math.Clamp(l, 0, dataset.Queries.Count) : dataset.Queries.Count;
        var queries = dataset.Queries.Take(nq).ToList();
        var dup = queries.GroupBy(q => q.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new ArgumentException($"query id '{dup.Key}' occurs {dup.Count()} times; ids must be unique");
        // Retrieval has no per-query success: APGD runs every iteration on every query, Square queries every one the whole budget.
        var attack = EmbeddingAttacks.Plan(options.Attack, dropSucceeded: false);
        int topK = Math.Max(options.TopK, 1);

        var db = embedder.EmbedImages(dataset.Database, "embedding database", progress, ct);
        using var dbT = db.t().contiguous();
        db.Dispose();
        var dbIndex = new Dictionary<string, int>();
        for (int i = 0; i < dataset.Database.Count; i++) dbIndex.TryAdd(dataset.Database[i].Id, i);

        var done = new Dictionary<string, RetrievalQueryRecord>();
        if (store != null)
            foreach (var r in store.LoadCompleted())
                if (queries.Any(q => q.Id == r.Id)) done[r.Id] = r;
        int resumed = done.Count;

        EvidenceWriter? evidence = null;
        HashSet<string> sample = [];
        if (options.ArtifactsDir != null && options.ArtifactCount > 0)
        {
            evidence = new EvidenceWriter(options.ArtifactsDir, new EvidenceIndex
            {
                Kind = "retrieval", Benchmark = dataset.Name, Model = model.Name,
                Norm = attack != null ? ApgdOptions.NormName(attack.Norm) : "none", Eps = attack?.Eps ?? 0, Items = [],
            });
            sample = EvidenceWriter.Sample(queries.Select(q => q.Id), options.ArtifactCount, options.Attack.Seed);
        }

        int computed = 0;
        void Report(string phase)
        {
            int remaining = nq - done.Count;
            TimeSpan? eta = computed > 0 ? TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / computed * remaining) : null;
            var extra = new Dictionary<string, double> { ["resumed"] = resumed };
            var recs = done.Values.ToList();
            if (dataset.GroundTruth != null && recs.Count > 0)
            {
                extra["map_medium_clean"] = MeanAp(recs, r => r.ApClean, "medium");
                if (attack != null) extra["map_medium_robust"] = MeanAp(recs, r => r.ApRobust, "medium");
            }
            progress?.Report(new EvaluationProgress(phase, done.Count, nq, null, null, eta, extra));
        }
        Report(resumed > 0 ? "resuming" : "querying");

        var indexOf = queries.Select((q, i) => (q.Id, i)).ToDictionary(p => p.Id, p => p.i);
        foreach (var batch in queries.Chunk(Math.Max(options.BatchSize, 1)))
        {
            ct.ThrowIfCancellationRequested();
            if (batch.All(q => done.ContainsKey(q.Id))) continue;
            var records = EvaluateBatch(embedder, dataset, batch, batch.Select(q => indexOf[q.Id]).ToArray(), dbT, dbIndex, attack, topK, options, evidence, sample, ct);
            var fresh = records.Where(r => !done.ContainsKey(r.Id)).ToList();
            if (fresh.Count > 0) store?.Append(fresh);
            foreach (var r in fresh) done[r.Id] = r;
            computed += batch.Length;
            Report("querying");
        }

        var final = queries.Where(q => done.ContainsKey(q.Id)).Select(q => done[q.Id]).ToList();
        Report("done");
        return Summarise(dataset, final, options, attack, model.Device.ToString(), clock.Elapsed.TotalSeconds, embedder,
            PerturbationChecks.Elements(model.Preprocessing)) with
        {
            ResumedQueries = resumed,
            ArtifactsIndex = evidence?.IndexPath,
        };
    }

    private static List<RetrievalQueryRecord> EvaluateBatch(
        RetrievalEmbeddings embedder, RetrievalDataset dataset, RetrievalImage[] batch, int[] queryIdx, Tensor dbT,
        Dictionary<string, int> dbIndex, AttackPlan? attack, int topK, RetrievalOptions options,
        EvidenceWriter? evidence, HashSet<string> sample, CancellationToken ct)
    {
        using var scope = torch.NewDisposeScope();
        var model = embedder.Model;
        var x = RetrievalImages.PrepareBatch(batch, model.Preprocessing).to(model.Device);
        Tensor clean;
        using (torch.no_grad()) clean = embedder.Embed(x).detach();
        var cleanSims = Similarities(clean, dbT, batch, dataset, dbIndex);

        float[][]? advSims = null;
        Tensor? adv = null;
        double[]? shift = null, norms = null, range = null;
        IReadOnlyList<int>? spent = null;
        if (attack != null)
        {
            var keys = ItemSeed.For(attack.Seed, batch.Select(q => q.Id));
            using var res = attack.Run(EmbeddingAttacks.Untargeted(embedder, clean), x, keys, ct);
            adv = res.Adversarial.detach().clone();
            spent = res.Queries;
            Tensor advEmb;
            using (torch.no_grad()) advEmb = embedder.Embed(adv);
            advSims = Similarities(advEmb, dbT, batch, dataset, dbIndex);
            shift = (advEmb - clean).square().sum(1).to(ScalarType.Float64).cpu().data<double>().ToArray();
            (norms, range) = EmbeddingAttacks.Check(adv, x, attack.Norm);
        }

        var records = new List<RetrievalQueryRecord>();
        for (int b = 0; b < batch.Length; b++)
        {
            var q = batch[b];
            var gq = dataset.GroundTruth?.Queries[queryIdx[b]];
            var rankClean = Ranking.Descending(cleanSims[b]);
            var excluded = ExcludedCount(q, dataset, dbIndex);
            var cleanTop = Top(rankClean, cleanSims[b], dataset, gq, topK, excluded);
            var rec = new RetrievalQueryRecord(q.Id) { CleanTop = cleanTop };
            if (gq != null)
                rec = rec with { ApClean = Aps(rankClean, gq), PrecisionClean = Precisions(rankClean, gq, options.Kappas) };
            if (advSims != null)
            {
                var rankAdv = Ranking.Descending(advSims[b]);
                var advTop = Top(rankAdv, advSims[b], dataset, gq, topK, excluded);
                rec = rec with
                {
                    AdversarialTop = advTop,
                    EmbeddingShift = shift![b],
                    TopKOverlap = cleanTop.Count == 0 ? 1 : cleanTop.Count(c => advTop.Any(a => a.Id == c.Id)) / (double)cleanTop.Count,
                    PerturbationNorm = norms![b],
                    RangeViolation = range![b],
                    AttackQueries = spent?[b],
                };
                if (gq != null) rec = rec with { ApRobust = Aps(rankAdv, gq), PrecisionRobust = Precisions(rankAdv, gq, options.Kappas) };
            }
            records.Add(rec);
            if (evidence != null && sample.Contains(q.Id))
                WriteEvidence(evidence, dataset, q, x[b], adv?[b], rec, attack);
        }
        return records;
    }

    /// <summary>B rows of similarities to the whole database; a query taken from the database never matches itself.</summary>
    private static float[][] Similarities(Tensor queryEmb, Tensor dbT, RetrievalImage[] batch, RetrievalDataset dataset, Dictionary<string, int> dbIndex)
    {
        using var scope = torch.NewDisposeScope();
        var s = queryEmb.to(ScalarType.Float32).cpu().matmul(dbT);
        var rows = new float[batch.Length][];
        for (int b = 0; b < batch.Length; b++)
        {
            rows[b] = s[b].data<float>().ToArray();
            if (dataset.QueriesFromDatabase && dbIndex.TryGetValue(batch[b].Id, out var self)) rows[b][self] = float.NegativeInfinity;
        }
        return rows;
    }

    private static int ExcludedCount(RetrievalImage q, RetrievalDataset d, Dictionary<string, int> dbIndex) =>
        d.QueriesFromDatabase && dbIndex.ContainsKey(q.Id) ? 1 : 0;

    private static List<RetrievalNeighbour> Top(int[] ranking, float[] sims, RetrievalDataset d, RevisitopQuery? gq, int k, int excluded) =>
        ranking.Take(Math.Min(k, ranking.Length - excluded))
            .Select((idx, r) => new RetrievalNeighbour(r + 1, d.Database[idx].Id, sims[idx], gq == null ? null : LabelOf(gq, idx))).ToList();

    private static string LabelOf(RevisitopQuery q, int idx) =>
        q.Easy.Contains(idx) ? "easy" : q.Hard.Contains(idx) ? "hard" : q.Junk.Contains(idx) ? "junk" : "negative";

    private static Dictionary<string, double> Aps(int[] ranking, RevisitopQuery q) =>
        Protocols.ToDictionary(p => Key(p), p =>
        {
            var (ok, junk) = RevisitopMap.Labels(q, p);
            return RevisitopMap.AveragePrecision(ranking, ok, junk);
        });

    private static Dictionary<string, double> Precisions(int[] ranking, RevisitopQuery q, IReadOnlyList<int> kappas)
    {
        var r = new Dictionary<string, double>();
        foreach (var p in Protocols)
        {
            var (ok, junk) = RevisitopMap.Labels(q, p);
            var pos = RevisitopMap.AdjustedPositions(ranking, ok, junk);
            foreach (var k in kappas) r[$"{Key(p)}@{k}"] = pos == null ? double.NaN : RevisitopMap.PrecisionAt(pos, k);
        }
        return r;
    }

    public static string Key(RevisitopProtocol p) => p.ToString().ToLowerInvariant();

    /// <summary>revisitop's mean: over queries whose AP is not NaN (queries without positives are left out).</summary>
    private static double MeanAp(IReadOnlyList<RetrievalQueryRecord> recs, Func<RetrievalQueryRecord, IReadOnlyDictionary<string, double>?> get, string key)
    {
        var xs = recs.Select(r => get(r)?.GetValueOrDefault(key, double.NaN) ?? double.NaN).Where(v => !double.IsNaN(v)).ToList();
        return xs.Count > 0 ? xs.Average() : double.NaN;
    }

    private static void WriteEvidence(EvidenceWriter w, RetrievalDataset d, RetrievalImage q, Tensor x, Tensor? adv, RetrievalQueryRecord rec, AttackPlan? attack)
    {
        var name = EvidenceWriter.SafeName(q.Id);
        var byId = d.Database.Select((img, i) => (img, i)).GroupBy(p => p.img.Id).ToDictionary(g => g.Key, g => g.First().img);
        List<EvidenceNeighbour> Rows(IReadOnlyList<RetrievalNeighbour> ns) =>
            ns.Select(n => new EvidenceNeighbour(n.Rank, n.Id, w.Thumbnail(byId[n.Id]), n.Similarity, n.Label, false)).ToList();
        w.Add(new EvidenceItem
        {
            Id = q.Id,
            Query = w.SaveImage(x, "queries", name),
            Adversarial = adv is null ? null : w.SaveImage(adv, "adversarial", name),
            Perturbation = adv is null ? null : w.SavePerturbation(adv, x, attack!.Eps, name),
            ApClean = rec.ApClean?.GetValueOrDefault("medium"),
            ApAdversarial = rec.ApRobust?.GetValueOrDefault("medium"),
            PerturbationNorm = rec.PerturbationNorm,
            Clean = Rows(rec.CleanTop),
            Attacked = rec.AdversarialTop is null ? null : Rows(rec.AdversarialTop),
        });
    }

    public static RetrievalResult Summarise(RetrievalDataset dataset, IReadOnlyList<RetrievalQueryRecord> recs, RetrievalOptions options,
        AttackPlan? attack, string device, double wallSeconds, RetrievalEmbeddings? embedder = null, long elementsPerItem = 0)
    {
        bool revisitop = dataset.GroundTruth != null;
        Dictionary<string, double>? Maps(Func<RetrievalQueryRecord, IReadOnlyDictionary<string, double>?> get) =>
            Protocols.ToDictionary(Key, p => MeanAp(recs, get, Key(p)));
        Dictionary<string, double> MeanPrecision(Func<RetrievalQueryRecord, IReadOnlyDictionary<string, double>?> get) =>
            Protocols.SelectMany(p => options.Kappas.Select(k => $"{Key(p)}@{k}"))
                .ToDictionary(k => k, k => MeanAp(recs, get, k));
        var sanity = attack == null ? new List<SanityCheck>()
            : PerturbationChecks.For(recs.Select(r => r.PerturbationNorm ?? 0), recs.Select(r => r.RangeViolation ?? 0), attack, $"{recs.Count} attacked queries", elementsPerItem).ToList();
        return new RetrievalResult
        {
            Benchmark = dataset.Name,
            Format = dataset.Format,
            NQueries = recs.Count,
            NDatabase = dataset.Database.Count,
            Attack = options.Attack,
            MapClean = revisitop ? Maps(r => r.ApClean) : null,
            MapRobust = revisitop && attack != null ? Maps(r => r.ApRobust) : null,
            MeanPrecisionClean = revisitop ? MeanPrecision(r => r.PrecisionClean) : null,
            MeanPrecisionRobust = revisitop && attack != null ? MeanPrecision(r => r.PrecisionRobust) : null,
            EmptyQueries = revisitop ? Protocols.ToDictionary(Key, p => recs.Count(r => double.IsNaN(r.ApClean?.GetValueOrDefault(Key(p), double.NaN) ?? double.NaN))) : null,
            MeanTopKOverlap = attack != null && recs.Count > 0 ? recs.Average(r => r.TopKOverlap ?? 0) : null,
            MeanEmbeddingShift = attack != null && recs.Count > 0 ? recs.Average(r => r.EmbeddingShift ?? 0) : null,
            TopK = Math.Max(options.TopK, 1),
            Sanity = sanity,
            EngineVersion = EngineInfo.Version,
            Device = device,
            WallSeconds = wallSeconds,
            DatabaseEmbeddingsComputed = embedder?.Computed ?? 0,
            DatabaseEmbeddingsFromCache = embedder?.FromCache ?? 0,
            // No success notion here: every attacked query counts as not broken (the statistics say what was spent).
            QueryStats = attack?.Square is { } sq
                ? QueryCounts.Summarise(recs.Where(r => r.AttackQueries.HasValue).Select(r => (r.AttackQueries!.Value, false)).ToList(), sq.Queries)
                : null,
            Queries = recs,
        };
    }
}
