using System.Text.Json;
using Portal.Engine.Detection;
using Portal.Engine.Metric;
using Portal.Engine.Retrieval;
using Portal.Tests.Retrieval;
using Portal.Tests.Support;
using TorchSharp;
using Portal.Engine.Attacks;

namespace Portal.Tests.Detection;

/// <summary>Detection by retrieval on generated colour classes: safe = red, buffer = green, unsafe = blue.</summary>
public class DetectionTests
{
    private static readonly Dictionary<string, (double, double, double)> Colour = new()
    {
        ["safe"] = (0.85, 0.15, 0.15), ["buffer"] = (0.15, 0.85, 0.15), ["unsafe"] = (0.15, 0.15, 0.85),
    };

    private static void MakeDataset(string root, int pool = 4, int queries = 3, int targets = 3)
    {
        int seed = 0;
        foreach (var (cls, c) in Colour)
        {
            for (int i = 0; i < pool; i++) RetrievalTestData.WritePng(Path.Combine(root, "pools", cls, $"p{i}.png"), c, seed++);
            for (int i = 0; i < queries; i++) RetrievalTestData.WritePng(Path.Combine(root, "queries", cls, $"q{i}.png"), c, seed++);
            if (cls != "buffer")
                for (int i = 0; i < targets; i++) RetrievalTestData.WritePng(Path.Combine(root, "targets", cls, $"t{i}.png"), c, seed++);
        }
    }

    [Fact]
    public void Clean_assignment_follows_the_nearest_pool_image()
    {
        using var dir = new FixturePaths.TempDir();
        MakeDataset(dir.Path);
        var ds = DetectionDataset.Open(dir.Path);
        Assert.Equal(["safe", "buffer", "unsafe"], ds.Classes);
        using var model = new EncoderMetric(new MeanColourEncoder());
        var r = DetectionTask.Run(new RetrievalEmbeddings(model, "mc"), null, ds, new DetectionOptions(), null, null, CancellationToken.None);
        var det = Assert.Single(r.Detectors);
        Assert.Equal("retrieval", det.Detector);
        foreach (var row in det.Clean)
        {
            Assert.Equal(3, row.N);
            Assert.Equal(1.0, row.Assigned[row.TrueClass]);
            Assert.Equal(1.0, row.Assigned.Values.Sum(), 12);
        }
        Assert.All(r.Records, rec => Assert.StartsWith($"pools/{rec.TrueClass}/", rec.NearestId));

        // Two-class variant (dataset filtering) drops the buffer class everywhere.
        var two = DetectionTask.Run(new RetrievalEmbeddings(model, "mc"), null, DetectionDataset.Open(dir.Path, twoClass: true), new DetectionOptions(), null, null, CancellationToken.None);
        Assert.Equal(["safe", "unsafe"], two.Classes);
        Assert.Equal(2, two.Detectors[0].Clean.Count);
    }

    [Fact]
    public void Query_that_is_also_a_pool_image_is_refused_by_name()
    {
        using var dir = new FixturePaths.TempDir();
        MakeDataset(dir.Path, queries: 1);
        File.Copy(Path.Combine(dir.Path, "pools", "safe", "p1.png"), Path.Combine(dir.Path, "queries", "unsafe", "dup.png"));
        var e = Assert.Throws<ArgumentException>(() => DetectionDataset.Open(dir.Path));
        Assert.Contains("dup.png", e.Message);
        Assert.Contains("p1.png", e.Message);
    }

    [Fact]
    public void Classifier_and_combined_rule_unsafe_if_either_says_unsafe()
    {
        using var dir = new FixturePaths.TempDir();
        MakeDataset(dir.Path, queries: 2);
        // A purple query: nearest pool class is ambiguous for retrieval, but the classifier (blue − red) says safe;
        // a cyan-blue query: retrieval says unsafe. Check the rule on recorded decisions instead of guessing colours.
        using var model = new EncoderMetric(new MeanColourEncoder());
        using var clf = new UnsafeClassifier(new BlueLogitClassifier(), ClassifierOutput.Logit, 0);
        var r = DetectionTask.Run(new RetrievalEmbeddings(model, "mc"), clf, DetectionDataset.Open(dir.Path), new DetectionOptions(), null, null, CancellationToken.None);
        Assert.Equal(["retrieval", "classifier", "combined"], r.Detectors.Select(d => d.Detector));
        foreach (var q in r.Records.Where(x => x.Detector == "combined"))
        {
            var retr = r.Records.Single(x => x.Detector == "retrieval" && x.QueryId == q.QueryId).Assigned;
            var c = r.Records.Single(x => x.Detector == "classifier" && x.QueryId == q.QueryId).Assigned;
            Assert.Equal(c == "unsafe" ? "unsafe" : retr, q.Assigned);
        }
        var clfRows = r.Detectors[1].Clean.ToDictionary(b => b.TrueClass);
        Assert.Equal(1.0, clfRows["unsafe"].Assigned["unsafe"]);
        Assert.Equal(1.0, clfRows["safe"].Assigned["safe"]);
        Assert.Equal(0.0, clfRows["buffer"].Assigned["buffer"]);   // the classifier knows only safe and unsafe
    }

    [Fact]
    public void Targeted_attack_pulls_a_random_encoder_towards_the_target_within_the_ball()
    {
        using var dir = new FixturePaths.TempDir();
        MakeDataset(dir.Path, pool: 3, queries: 4, targets: 4);
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 5, size: 16));
        var embedder = new RetrievalEmbeddings(model, "tiny");
        var ds = DetectionDataset.Open(dir.Path, twoClass: true);
        var attack = new AttackConfig { Kind = "apgd", Eps = 8.0 / 255, Iterations = 15, Perturbed = "query", Loss = "target-mean-cosine" };
        using var clf = new UnsafeClassifier(new BlueLogitClassifier(), ClassifierOutput.Logit, 0);
        var options = new DetectionOptions { Attack = attack, ArtifactsDir = dir.File("art"), ArtifactCount = 3, TargetCount = 4 };
        var r = DetectionTask.Run(embedder, clf, ds, options, null, null, CancellationToken.None);

        Assert.All(r.Sanity, s => Assert.True(s.Passed, s.Detail));
        Assert.Equal(new Dictionary<string, int> { ["safe"] = 4, ["unsafe"] = 4 }, r.TargetsUsed);
        foreach (var det in r.Detectors)
        {
            Assert.Equal(2, det.Attacked.Count);   // both directions
            foreach (var a in det.Attacked)
            {
                var clean = det.Clean.Single(c => c.TrueClass == a.Source).Assigned[a.Target];
                Assert.True(a.SuccessRate >= clean, $"{det.Detector} {a.Source}->{a.Target}: {a.SuccessRate} < clean {clean}");
            }
        }
        foreach (var rec in r.Records.Where(x => x.Target != null))
        {
            Assert.InRange(rec.PerturbationNorm!.Value, 0, 8.0 / 255 + 1e-6);
            Assert.Equal(0, rec.RangeViolation);
        }

        // The attack objective itself rises: mean cosine to the targets is higher on the adversarial queries.
        var targets = embedder.EmbedImages(ds.Targets["safe"], "t", null, CancellationToken.None);
        var queries = ds.Queries["unsafe"];
        using var x = RetrievalImages.PrepareBatch(queries, model.Preprocessing);
        var pool = ds.Classes.SelectMany(c => ds.Pools[c]).ToList();
        var poolEmb = embedder.EmbedImages(pool, "p", null, CancellationToken.None);
        using var dets = new Detectors(embedder, null, ds.Classes, pool, ds.Classes.SelectMany((c, i) => ds.Pools[c].Select(_ => i)).ToList(), poolEmb);
        var keys = global::Portal.Engine.Attacks.ItemSeed.For(0, queries.Select(q => q.Id));
        using var res = global::Portal.Engine.Attacks.Apgd.Run(dets.Objective("retrieval", "safe", targets), x, keys,
            new global::Portal.Engine.Attacks.ApgdOptions { Eps = 8.0 / 255, Iterations = 15, DropSucceeded = false }, CancellationToken.None);
        using (torch.no_grad())
        {
            var before = EmbeddingAttacks.MeanCosine(embedder.Embed(x), targets);
            var after = EmbeddingAttacks.MeanCosine(embedder.Embed(res.Adversarial), targets);
            Assert.True((after > before).all().item<bool>(), "mean cosine to the target images did not rise for every query");
        }

        // Evidence: sensitive flags follow the class, paths are relative and exist.
        var index = JsonSerializer.Deserialize<EvidenceIndex>(File.ReadAllText(r.ArtifactsIndex!), EvidenceWriter.Json)!;
        Assert.Equal("detection", index.Kind);
        Assert.Equal(["unsafe"], index.SensitiveClasses);
        Assert.Equal(3, index.Items.Count);
        foreach (var it in index.Items)
        {
            Assert.Equal(it.TrueClass == "unsafe", it.QuerySensitive);
            Assert.All(it.Clean.Concat(it.Attacked!), n => Assert.Equal(n.Label == "unsafe", n.Sensitive));
            foreach (var rel in new[] { it.Query, it.Adversarial!, it.Perturbation! }.Concat(it.Clean.Select(n => n.Image)))
                Assert.True(File.Exists(Path.Combine(dir.File("art"), rel)), rel);
        }
    }
}
