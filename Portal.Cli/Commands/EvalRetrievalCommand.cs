using Portal.Engine.Records;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Metric;
using Portal.Engine.Progress;
using Portal.Engine.Retrieval;
using Portal.Engine.Runtime;
using Portal.Engine.Attacks;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal eval retrieval --checkpoint F --dataset DIR [--format roxford5k|rparis6k|folder] [--attack none|apgd|square]
/// [--eps 4/255] [--iters 100] [--queries 5000] [--limit N] [--artifacts DIR] [--cache DIR] [--items F.jsonl] --json OUT`:
/// revisitop mAP (Medium/Hard) or folder top-k, clean and under the untargeted query attack (APGD, or the Square
/// Attack on the same loss: per-query `attack_queries` and `query_stats` in the output).
/// </summary>
public sealed class EvalRetrievalCommand : ICommand
{
    public string[] Path => ["eval", "retrieval"];
    public string Summary => "image retrieval (revisitop mAP M/H or folder top-k), clean and under attack";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "allow-torchscript", "force", "quiet" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoint = args.Required("checkpoint");
        var datasetDir = args.Required("dataset");
        var jsonOut = args.Required("json");
        var format = args.Get("format");
        var attack = CliAttack.Parse(args, defaultEps: 4.0 / 255, defaultIters: 100, perturbed: "query", loss: "embedding-l2");
        var options = new RetrievalOptions
        {
            Attack = attack,
            Limit = args.Get("limit") is null ? null : args.Int("limit", 0),
            BatchSize = args.Int("batch", 16),
            TopK = args.Int("top-k", 5),
            ArtifactCount = args.Int("artifact-count", 24),
            ArtifactsDir = args.Get("artifacts"),
        };
        var cacheDir = args.Get("cache");
        var itemsPath = args.Get("items");
        var quiet = args.Flag("quiet");
        var loadOptions = CliAttack.LoadOptions(args);
        args.EnsureAllUsed();
        if (format != null && !RetrievalDataset.Formats.Contains(format)) throw new CliException($"--format must be one of {string.Join(", ", RetrievalDataset.Formats)}, got '{format}'");
        if (options.BatchSize < 1) throw new CliException("--batch must be at least 1");

        var dataset = RetrievalDataset.Open(datasetDir, format);
        using var encoder = EncoderLoader.Load(checkpoint, loadOptions);
        using var model = new EncoderMetric(encoder, ownsEncoder: false);
        var sha = FileHash.Sha256(checkpoint);
        var key = RetrievalEmbeddings.ModelKey(sha, encoder.Info.Preprocessing);
        var embedder = new RetrievalEmbeddings(model, key, cacheDir is null ? null : new EmbeddingCache(folder: cacheDir), options.BatchSize);
        var store = itemsPath is null ? null
            : new JsonlRecordStore<RetrievalQueryRecord>(itemsPath, CliAttack.Fingerprint("retrieval", sha, dataset.Name, attack, options.TopK));
        var result = RetrievalTask.Run(embedder, dataset, options, store, CliAttack.Progress(quiet), ct);
        CliAttack.WriteJson(jsonOut, new { checkpoint_sha256 = sha, encoder = encoder.Info.Architecture, result });
        var maps = result.MapClean is null ? "" : $" mAP M/H clean {100 * result.MapClean["medium"]:F2}/{100 * result.MapClean["hard"]:F2}"
            + (result.MapRobust is null ? "" : $", robust {100 * result.MapRobust["medium"]:F2}/{100 * result.MapRobust["hard"]:F2}");
        var spent = result.QueryStats is { } qs ? $"; Square: {qs.TotalQueries} model queries over {qs.Attacked} attacked queries" : "";
        Console.Error.WriteLine($"{result.Benchmark}: {result.NQueries} queries, {result.NDatabase} database images{maps}{spent}; wrote {jsonOut}");
        return Task.FromResult(result.Sanity.All(s => s.Passed) ? 0 : 3);
    }
}

/// <summary>Options shared by the retrieval and detection commands.</summary>
internal static class CliAttack
{
    public static AttackConfig Parse(CliArgs args, double defaultEps, int defaultIters, string perturbed, string loss)
    {
        var kind = args.Get("attack") ?? "none";
        if (kind is not ("none" or "apgd" or "square")) throw new CliException($"--attack must be none, apgd or square, got '{kind}'");
        var norm = args.Get("norm") ?? "linf";
        if (norm is not ("linf" or "l2")) throw new CliException($"--norm must be linf or l2, got '{norm}'");
        var iters = args.Int("iters", defaultIters);
        var queries = args.Int("queries", 5000);
        var c = new AttackConfig
        {
            Kind = kind, Norm = norm,
            Eps = args.Double("eps", defaultEps),
            // Square uses no gradient iterations: its budget is the query count (as in `eval 2afc`).
            Iterations = kind == "square" ? 0 : iters,
            Queries = kind == "square" ? queries : null,
            Restarts = args.Int("restarts", 1),
            Seed = args.Int("seed", 0),
            Loss = loss, Perturbed = perturbed,
        };
        if (c.Eps < 0) throw new CliException("--eps must be ≥ 0");
        if (iters < 1) throw new CliException("--iters must be at least 1");
        if (queries < 1) throw new CliException("--queries must be at least 1");
        if (kind == "square" && c.Restarts < 1) throw new CliException("--restarts must be at least 1");
        return c;
    }

    public static EncoderLoadOptions LoadOptions(CliArgs args) => new()
    {
        Architecture = args.Get("arch"),
        AllowTorchScript = args.Flag("allow-torchscript"),
        Force = args.Flag("force"),
        MlpHeadPath = args.Get("mlp-head"),
        LoraPath = args.Get("lora"),
        Device = Devices.Parse(args.Get("device")),
    };

    public static string Fingerprint(params object?[] parts) =>
        FileHash.Sha256(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(parts)))[..32];

    public static IProgress<EvaluationProgress>? Progress(bool quiet) => quiet ? null : new SyncProgress(p =>
        Console.Error.WriteLine($"[{p.Phase}] {p.Done}/{p.Total}" + (p.Eta is { } e ? $" eta {e:hh\\:mm\\:ss}" : "")));

    public static void WriteJson<T>(string path, T value)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(value, JsonOut.Options));
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and interleave).</summary>
    private sealed class SyncProgress(Action<EvaluationProgress> report) : IProgress<EvaluationProgress>
    {
        private DateTime _last = DateTime.MinValue;
        public void Report(EvaluationProgress value)
        {
            if (value.Done != value.Total && (DateTime.UtcNow - _last).TotalSeconds < 2) return;
            _last = DateTime.UtcNow;
            report(value);
        }
    }
}
