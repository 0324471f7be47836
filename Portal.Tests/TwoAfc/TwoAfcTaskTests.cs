using Portal.Engine.Datasets;
using Portal.Engine.Metric;
using Portal.Engine.Progress;
using Portal.Engine.TwoAfc;
using Portal.Tests.Support;
using static Portal.Tests.TwoAfc.TwoAfcTestData;
using Portal.Engine.Attacks;
using Portal.Engine.Records;

namespace Portal.Tests.TwoAfc;

public class TwoAfcTaskTests
{
    /// <summary>Synchronous progress sink (Progress&lt;T&gt; posts asynchronously).</summary>
    private sealed class Sink(Action<EvaluationProgress>? on = null) : IProgress<EvaluationProgress>
    {
        public List<EvaluationProgress> Seen { get; } = [];
        public void Report(EvaluationProgress value) { Seen.Add(value); on?.Invoke(value); }
    }

    private static NightsRow[] TestRows(int n) =>
        Enumerable.Range(0, n).Select(i => new NightsRow($"t{i:00}", i % 3 == 0 ? 1 : 0, 6, "test", i % 2 == 0)).ToArray();

    private static readonly TwoAfcOptions Attack = new()
    {
        Attack = new AttackConfig { Kind = "apgd", Norm = "linf", Eps = 1.0 / 255, Iterations = 6, Seed = 3 },
        BatchSize = 4,
    };

    [Fact]
    public void Pixel_model_accuracy_matches_hand_computed_labels_per_split()
    {
        using var dir = new FixturePaths.TempDir();
        // Left image = reference, right image = random: the pixel-L2 model always picks left (prediction 0).
        var rng = new Random(5);
        WriteNights(dir.Path, TestRows(6), pixels: (_, _) => { var r = RandomRgb(rng, 16); return (r, r, RandomRgb(rng, 16)); });
        var load = NightsReader.Load(dir.Path, "test");
        using var model = new PixelL2(16);
        var result = TwoAfcTask.Run(model, load, new TwoAfcOptions(), null, null, CancellationToken.None);
        // Labels: t00 1, t01 0, t02 0, t03 1, t04 0, t05 0 → correct where label 0: t01 t02 t04 t05.
        Assert.Equal(6, result.N);
        Assert.Equal(4 / 6.0, result.CleanAccuracy, 12);
        Assert.Null(result.RobustAccuracy);
        // test_imagenet = even ids t00 t02 t04 (1 of 3 wrong); test_no_imagenet = t01 t03 t05.
        Assert.Equal(2 / 3.0, result.Splits["test_imagenet"].CleanAccuracy, 12);
        Assert.Equal(2 / 3.0, result.Splits["test_no_imagenet"].CleanAccuracy, 12);
        Assert.Equal([false, true, true, false, true, true], result.Items.Select(i => i.CleanCorrect));
    }

    [Fact]
    public void Bapps_reports_hard_accuracy_and_the_lpips_fractional_score()
    {
        using var dir = new FixturePaths.TempDir();
        WriteBapps(dir.Path, "cnn", [0.0, 0.2, 0.6, 0.8, 1.0], seed: 4);
        var load = BappsReader.Load(dir.Path, "all");
        using var model = new PixelL2(224);
        var r = TwoAfcTask.Run(model, load, new TwoAfcOptions(), null, null, CancellationToken.None);
        // The model's choice from its margins (sim to the majority image minus the other): p1 iff it is strictly closer.
        var predRight = r.Items.Select(i => (i.Label > 0.5f ? i.Margin > 0 : i.Margin < 0) ? 1 : 0).ToArray();
        Assert.Contains(0, predRight);
        Assert.Contains(1, predRight);
        var judges = new[] { 0.0, 0.2, 0.6, 0.8, 1.0 };
        var hard = judges.Select((j, k) => (predRight[k] == (j > 0.5 ? 1 : 0)) ? 1.0 : 0.0).Average();
        var lpips = judges.Select((j, k) => predRight[k] == 1 ? j : 1 - j).Average();
        Assert.Equal(hard, r.CleanAccuracy, 12);
        Assert.Equal(lpips, r.LpipsScore!.Value, 6);   // judges travel as float32 labels
        Assert.Equal(lpips, r.Splits["cnn"].LpipsScore!.Value, 6);
        Assert.True(r.Items.All(i => i.LpipsScore.HasValue));
    }

    [Fact]
    public void Unreadable_images_stop_the_run_with_their_paths_or_are_skipped_and_counted()
    {
        using var dir = new FixturePaths.TempDir();
        WriteNights(dir.Path, TestRows(6));
        var broken = Path.Combine(dir.Path, "distort", "000", "004_1.png");
        Truncate(broken);
        var load = NightsReader.Load(dir.Path, "test");
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 1, size: 16));
        var e = Assert.Throws<TwoAfcBadItemsException>(() => TwoAfcTask.Run(model, load, new TwoAfcOptions { BatchSize = 4 }, null, null, CancellationToken.None));
        Assert.Equal(broken, Assert.Single(e.Bad).Path);
        Assert.Contains(broken, e.Message);

        var skipped = TwoAfcTask.Run(model, load, new TwoAfcOptions { BatchSize = 4, SkipBadItems = true }, null, null, CancellationToken.None);
        Assert.Equal(5, skipped.N);
        Assert.Equal(1, skipped.SkippedItems);
        Assert.DoesNotContain(skipped.Items, i => i.Id == "t04");

        // A file missing up front is reported by the reader, and the task refuses to start.
        File.Delete(Path.Combine(dir.Path, "ref", "000", "001.png"));
        var load2 = NightsReader.Load(dir.Path, "test");
        var e2 = Assert.Throws<TwoAfcBadItemsException>(() => TwoAfcTask.Run(model, load2, new TwoAfcOptions(), null, null, CancellationToken.None));
        Assert.Contains(Path.Combine(dir.Path, "ref", "000", "001.png"), e2.Message);
        var r2 = TwoAfcTask.Run(model, load2, new TwoAfcOptions { SkipBadItems = true }, null, null, CancellationToken.None);
        Assert.Equal((4, 2), (r2.N, r2.SkippedItems));
    }

    [Fact]
    public void Robust_run_reports_sanity_checks_and_eps_zero_reproduces_clean_accuracy()
    {
        using var dir = new FixturePaths.TempDir();
        WriteNights(dir.Path, TestRows(8));
        var load = NightsReader.Load(dir.Path, "test");
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 1, size: 16));
        var sink = new Sink();
        var r = TwoAfcTask.Run(model, load, Attack with { EpsSweep = [0, 2.0 / 255, 64.0 / 255], SweepItems = 8 }, null, sink, CancellationToken.None);
        Assert.All(r.Sanity, s => Assert.True(s.Passed, $"{s.Name}: {s.Value} vs {s.Limit} ({s.Detail})"));
        Assert.Contains(r.Sanity, s => s.Name == "perturbation_within_eps" && s.Value > 0 && s.Value <= 1.0 / 255 + 1e-6);
        Assert.Contains(r.Sanity, s => s.Name == "zero_eps_reproduces_clean");
        Assert.Contains(r.Sanity, s => s.Name == "images_in_range");
        Assert.True(r.RobustAccuracy <= r.CleanAccuracy);
        Assert.All(r.Items.Where(i => !i.CleanCorrect), i => Assert.False(i.RobustCorrect));
        Assert.Equal(r.CleanAccuracy, r.EpsSweep![0].RobustAccuracy, 12);        // ε = 0 point of the sweep
        Assert.Equal(0, r.EpsSweep[^1].RobustAccuracy);                           // a large ε fools everything
        Assert.Equal(8, sink.Seen[^1].Done);
        Assert.Equal(8, sink.Seen[^1].Total);
        Assert.Equal(r.RobustAccuracy, sink.Seen[^1].RobustAccuracy);

        var zero = TwoAfcTask.Run(model, load, Attack with { Attack = Attack.Attack with { Eps = 0 } }, null, null, CancellationToken.None);
        Assert.Equal(zero.CleanAccuracy, zero.RobustAccuracy);
        Assert.Equal(r.CleanAccuracy, zero.CleanAccuracy);
    }

    [Fact]
    public void A_cancelled_run_resumes_from_its_store_to_the_numbers_of_an_uninterrupted_run()
    {
        using var dir = new FixturePaths.TempDir();
        WriteNights(dir.Path, TestRows(14));
        var load = NightsReader.Load(dir.Path, "test");
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 6, size: 16));
        var reference = TwoAfcTask.Run(model, load, Attack, null, null, CancellationToken.None);

        // 1) killed between batches: after the second batch is stored.
        var path = Path.Combine(dir.Path, "items.jsonl");
        using (var cts = new CancellationTokenSource())
        {
            var sink = new Sink(p => { if (p.Phase == "evaluating" && p.Done >= 8) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => TwoAfcTask.Run(model, load, Attack, new JsonlRecordStore<TwoAfcItemResult>(path, "cfg"), sink, cts.Token));
        }
        Assert.Equal(8, new JsonlRecordStore<TwoAfcItemResult>(path, "cfg").LoadCompleted().Count);

        // 2) killed inside an attack (between APGD iterations) of the third batch.
        var counting = new CountingModel(model);
        using (var cts = new CancellationTokenSource())
        {
            counting.OnEmbed = n => { if (n == 12) cts.Cancel(); };
            Assert.ThrowsAny<OperationCanceledException>(() => TwoAfcTask.Run(counting, load, Attack, new JsonlRecordStore<TwoAfcItemResult>(path, "cfg"), null, cts.Token));
        }
        Assert.Equal(8, new JsonlRecordStore<TwoAfcItemResult>(path, "cfg").LoadCompleted().Count);

        var resumed = TwoAfcTask.Run(model, load, Attack, new JsonlRecordStore<TwoAfcItemResult>(path, "cfg"), null, CancellationToken.None);
        Assert.Equal(8, resumed.ResumedItems);
        Assert.Equal(reference.CleanAccuracy, resumed.CleanAccuracy);
        Assert.Equal(reference.RobustAccuracy, resumed.RobustAccuracy);
        Assert.Equal(reference.Items, resumed.Items);
        Assert.Equal(reference.Sanity.Select(s => (s.Name, s.Value)), resumed.Sanity.Select(s => (s.Name, s.Value)));
        Assert.Equal(14, new JsonlRecordStore<TwoAfcItemResult>(path, "cfg").LoadCompleted().Count);
        // Another configuration must not reuse these results.
        Assert.Throws<InvalidOperationException>(() => new JsonlRecordStore<TwoAfcItemResult>(path, "other").LoadCompleted());
    }

    [Fact]
    public void Jsonl_store_ignores_a_torn_last_line_and_names_a_damaged_one()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("s.jsonl");
        var store = new JsonlRecordStore<TwoAfcItemResult>(path, "fp");
        store.Append([new TwoAfcItemResult("a", "val", 1, true, false, 0.5, -0.1) { PerturbationNorm = 0.01 }]);
        store.Append([new TwoAfcItemResult("b", "val", 0, false, false, -0.25)]);
        File.AppendAllText(path, "{\"id\":\"c\",\"spl");   // the process died mid-write
        var reopened = new JsonlRecordStore<TwoAfcItemResult>(path, "fp");
        var items = reopened.LoadCompleted();
        Assert.Equal(["a", "b"], items.Select(i => i.Id));
        Assert.Equal(0.01, items[0].PerturbationNorm);
        reopened.Append([new TwoAfcItemResult("c", "val", 1, true, true, 0.1, 0.05)]);
        Assert.Equal(["a", "b", "c"], new JsonlRecordStore<TwoAfcItemResult>(path, "fp").LoadCompleted().Select(i => i.Id));

        var lines = File.ReadAllLines(path);
        lines[2] = "{broken";
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<FormatException>(() => new JsonlRecordStore<TwoAfcItemResult>(path, "fp").LoadCompleted());
        Assert.Contains($"{path}:3", e.Message);
    }

    [Fact]
    public void Runs_sharing_a_candidate_cache_embed_the_candidates_once_and_give_exactly_the_uncached_numbers()
    {
        using var dir = new FixturePaths.TempDir();
        WriteNights(dir.Path, TestRows(10));
        var load = NightsReader.Load(dir.Path, "test");
        using var model = new EncoderMetric(new TinyConvEncoder(seed: 9, size: 16));
        var clean = new TwoAfcOptions { BatchSize = 4 };
        var counting = new CountingModel(model);
        var plain = TwoAfcTask.Run(counting, load, Attack, null, null, CancellationToken.None);
        long plainRows = counting.Rows;

        var folder = Path.Combine(dir.Path, "cache");
        counting.Rows = 0;
        var cleanRun = TwoAfcTask.Run(counting, load, clean with { CandidateCache = new(new EmbeddingCache(folder: folder), "tiny") }, null, null, CancellationToken.None);
        Assert.Equal(10 + 2 * 10, counting.Rows);   // references + candidates, the candidates now on disk

        // The attack job after it (a new process: a new cache object on the same folder) embeds no candidate: its
        // uncached twin embedded 2 × 10 of them, plus 2 × 4 for the ε = 0 check of the first batch.
        counting.Rows = 0;
        var cached = TwoAfcTask.Run(counting, load, Attack with { CandidateCache = new(new EmbeddingCache(folder: folder), "tiny") }, null, null, CancellationToken.None);
        Assert.Equal(plainRows - 2 * 10 - 2 * 4, counting.Rows);
        Assert.Equal(plain.Items, cached.Items);
        Assert.Equal(plain.CleanAccuracy, cleanRun.CleanAccuracy);

        // Another model key (another checkpoint or recipe) or another batch size shares nothing.
        counting.Rows = 0;
        TwoAfcTask.Run(counting, load, clean with { CandidateCache = new(new EmbeddingCache(folder: folder), "other") }, null, null, CancellationToken.None);
        Assert.Equal(10 + 2 * 10, counting.Rows);
        counting.Rows = 0;
        TwoAfcTask.Run(counting, load, clean with { BatchSize = 5, CandidateCache = new(new EmbeddingCache(folder: folder), "tiny") }, null, null, CancellationToken.None);
        Assert.Equal(10 + 2 * 10, counting.Rows);
    }

    /// <summary>Wraps a model to observe (and interrupt) its forward passes.</summary>
    private sealed class CountingModel(IPerceptualModel inner) : IPerceptualModel
    {
        public Action<int>? OnEmbed;
        private int _calls;
        /// <summary>Images embedded so far (rows of every batch).</summary>
        public long Rows;
        public string Name => inner.Name;
        public global::Portal.Engine.Encoders.Preprocessing Preprocessing => inner.Preprocessing;
        public TorchSharp.torch.Device Device => inner.Device;
        public TorchSharp.torch.Tensor Embed(TorchSharp.torch.Tensor pixels) { OnEmbed?.Invoke(++_calls); Rows += pixels.shape[0]; return inner.Embed(pixels); }
        public TorchSharp.torch.Tensor Similarity(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) => inner.Similarity(a, b);
        public void Dispose() { }
    }
}
