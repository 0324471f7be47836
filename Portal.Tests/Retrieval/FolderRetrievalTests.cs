using Portal.Engine.Records;
using System.Text.Json;
using Portal.Engine.Metric;
using Portal.Engine.Retrieval;
using Portal.Tests.Support;
using Portal.Engine.Attacks;

namespace Portal.Tests.Retrieval;

/// <summary>Folder retrieval: top-k clean and under the untargeted attack, the on-disk embedding cache, evidence, resume.</summary>
public class FolderRetrievalTests
{
    private static readonly AttackConfig Attack = new() { Kind = "apgd", Eps = 4.0 / 255, Iterations = 10, Perturbed = "query", Loss = "embedding-l2" };

    private static void MakeFolder(string dir, int n)
    {
        for (int i = 0; i < n; i++)
            RetrievalTestData.WritePng(Path.Combine(dir, $"img{i:00}.png"), (i % 3 == 0 ? 0.8 : 0.2, i % 3 == 1 ? 0.8 : 0.2, i % 3 == 2 ? 0.8 : 0.2), i);
    }

    [Fact]
    public void Attack_moves_embeddings_within_the_ball_and_writes_indexed_evidence()
    {
        using var dir = new FixturePaths.TempDir();
        MakeFolder(dir.File("data"), 9);
        var ds = RetrievalDataset.Open(dir.File("data"));
        Assert.True(ds.QueriesFromDatabase);
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 3, size: 16));
        var cache = dir.File("cache");
        var options = new RetrievalOptions { Attack = Attack, Limit = 4, ArtifactCount = 2, ArtifactsDir = dir.File("art"), BatchSize = 3 };
        var store = new JsonlRecordStore<RetrievalQueryRecord>(dir.File("items.jsonl"), "fp");
        var r = RetrievalTask.Run(new RetrievalEmbeddings(model, "tiny", new EmbeddingCache(folder: cache)), ds, options, store, null, CancellationToken.None);

        Assert.Equal(4, r.NQueries);
        Assert.All(r.Sanity, s => Assert.True(s.Passed, s.Detail));
        foreach (var q in r.Queries)
        {
            Assert.Equal(5, q.CleanTop.Count);
            Assert.DoesNotContain(q.CleanTop, n => n.Id == q.Id);          // a query is never its own neighbour
            Assert.True(q.EmbeddingShift > 1e-4, $"{q.Id}: attack did not move the embedding");
            Assert.InRange(q.PerturbationNorm!.Value, 0, 4.0 / 255 + 1e-6);
            Assert.Equal(0, q.RangeViolation);
            Assert.True(q.CleanTop.Zip(q.CleanTop.Skip(1)).All(p => p.First.Similarity >= p.Second.Similarity));
        }
        Assert.Equal(9, r.DatabaseEmbeddingsComputed);

        // Evidence: 2 items, every referenced file exists relative to the index.
        var indexPath = r.ArtifactsIndex!;
        var index = JsonSerializer.Deserialize<EvidenceIndex>(File.ReadAllText(indexPath), EvidenceWriter.Json)!;
        Assert.Equal("retrieval", index.Kind);
        Assert.Equal(2, index.Items.Count);
        foreach (var it in index.Items)
        {
            Assert.Equal(5, it.Clean.Count);
            Assert.Equal(5, it.Attacked!.Count);
            foreach (var rel in new[] { it.Query, it.Adversarial!, it.Perturbation! }.Concat(it.Clean.Select(c => c.Image)).Concat(it.Attacked.Select(c => c.Image)))
            {
                Assert.False(Path.IsPathRooted(rel));
                Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(indexPath)!, rel)), rel);
            }
        }

        // A second run: database from the cache, queries from the store, same numbers.
        var embedder2 = new RetrievalEmbeddings(model, "tiny", new EmbeddingCache(folder: cache));
        var r2 = RetrievalTask.Run(embedder2, ds, options, new JsonlRecordStore<RetrievalQueryRecord>(dir.File("items.jsonl"), "fp"), null, CancellationToken.None);
        Assert.Equal(0, r2.DatabaseEmbeddingsComputed);
        Assert.Equal(9, r2.DatabaseEmbeddingsFromCache);
        Assert.Equal(4, r2.ResumedQueries);
        Assert.Equal(r.MeanEmbeddingShift, r2.MeanEmbeddingShift);
        Assert.Throws<InvalidOperationException>(() => new JsonlRecordStore<RetrievalQueryRecord>(dir.File("items.jsonl"), "other").LoadCompleted());
    }

    [Fact]
    public void Zero_budget_attack_keeps_the_clean_neighbours()
    {
        using var dir = new FixturePaths.TempDir();
        MakeFolder(dir.File("database"), 6);
        MakeFolder(dir.File("queries"), 2);
        var ds = RetrievalDataset.Open(dir.Path, "folder");
        Assert.False(ds.QueriesFromDatabase);
        using var model = new EncoderMetric(new MeanColourEncoder());
        var r = RetrievalTask.Run(new RetrievalEmbeddings(model, "mc"), ds, new RetrievalOptions { Attack = Attack with { Eps = 0 }, TopK = 3 }, null, null, CancellationToken.None);
        foreach (var q in r.Queries)
        {
            Assert.Equal(q.CleanTop.Select(n => n.Id), q.AdversarialTop!.Select(n => n.Id));
            Assert.Equal(1.0, q.TopKOverlap);
            // Same-colour database images come first (mean-colour encoder).
            Assert.Equal(int.Parse(q.Id[3..5]) % 3, int.Parse(q.CleanTop[0].Id[3..5]) % 3);
        }
    }
}
