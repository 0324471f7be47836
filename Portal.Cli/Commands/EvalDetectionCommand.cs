using Portal.Engine.Records;
using Portal.Engine.Checkpoints;
using Portal.Engine.Detection;
using Portal.Engine.Encoders;
using Portal.Engine.Metric;
using Portal.Engine.Retrieval;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal eval detection --checkpoint F --dataset DIR [--two-class] [--attack none|apgd|square] [--eps 8/255] [--iters 200] [--queries 5000]
/// [--directions unsafe:safe,safe:unsafe] [--classifier F.pt --classifier-output probability|logit --threshold 0.5]
/// [--artifacts DIR] [--cache DIR] [--items F.jsonl] --json OUT`: detection by retrieval (Table III breakdown),
/// optionally with a classifier-type detector and the combined rule.
/// </summary>
public sealed class EvalDetectionCommand : ICommand
{
    public string[] Path => ["eval", "detection"];
    public string Summary => "detection by retrieval (safe/buffer/unsafe pools), clean and under the targeted attack";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "allow-torchscript", "force", "quiet", "two-class" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoint = args.Required("checkpoint");
        var datasetDir = args.Required("dataset");
        var jsonOut = args.Required("json");
        var attack = CliAttack.Parse(args, defaultEps: 8.0 / 255, defaultIters: 200, perturbed: "query", loss: "target-mean-cosine");
        var dirs = args.Get("directions");
        var options = new DetectionOptions
        {
            Attack = attack,
            Directions = dirs is null ? null : DetectionDirection.ParseList(dirs),
            TargetCount = args.Int("targets", 16),
            LimitPerClass = args.Get("limit") is null ? null : args.Int("limit", 0),
            BatchSize = args.Int("batch", 16),
            ArtifactCount = args.Int("artifact-count", 24),
            ArtifactsDir = args.Get("artifacts"),
            SensitiveClasses = (args.Get("sensitive") ?? DetectionDataset.Unsafe).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        var twoClass = args.Flag("two-class");
        var classifierPath = args.Get("classifier");
        var outputKind = (args.Get("classifier-output") ?? "probability") switch
        {
            "probability" => ClassifierOutput.Probability,
            "logit" => ClassifierOutput.Logit,
            var o => throw new CliException($"--classifier-output must be probability or logit, got '{o}'"),
        };
        var threshold = args.Double("threshold", outputKind == ClassifierOutput.Probability ? 0.5 : 0.0);
        var cacheDir = args.Get("cache");
        var itemsPath = args.Get("items");
        var quiet = args.Flag("quiet");
        var loadOptions = CliAttack.LoadOptions(args);
        args.EnsureAllUsed();
        if (options.BatchSize < 1) throw new CliException("--batch must be at least 1");

        var dataset = DetectionDataset.Open(datasetDir, twoClass);
        using var encoder = EncoderLoader.Load(checkpoint, loadOptions);
        using var model = new EncoderMetric(encoder, ownsEncoder: false);
        // The classifier is TorchScript code by nature: loading it is the explicit --classifier choice.
        using var classifier = classifierPath is null ? null
            : new UnsafeClassifier(EncoderLoader.Load(classifierPath, loadOptions with { AllowTorchScript = true, Architecture = null, MlpHeadPath = null, LoraPath = null }), outputKind, threshold);
        var sha = FileHash.Sha256(checkpoint);
        var clfSha = classifierPath is null ? null : FileHash.Sha256(classifierPath);
        var embedder = new RetrievalEmbeddings(model, RetrievalEmbeddings.ModelKey(sha, encoder.Info.Preprocessing),
            cacheDir is null ? null : new EmbeddingCache(folder: cacheDir), options.BatchSize);
        var store = itemsPath is null ? null
            : new JsonlRecordStore<DetectionRecord>(itemsPath, CliAttack.Fingerprint("detection", sha, clfSha, outputKind, threshold, dataset.Name, attack, options.TargetCount));
        var result = DetectionTask.Run(embedder, classifier, dataset, options, store, CliAttack.Progress(quiet), ct);
        CliAttack.WriteJson(jsonOut, new { checkpoint_sha256 = sha, classifier_sha256 = clfSha, encoder = encoder.Info.Architecture, result });
        foreach (var d in result.Detectors)
            foreach (var a in d.Attacked)
                Console.Error.WriteLine($"{d.Detector} {a.Source}->{a.Target}: {a.SuccessRate:P1} of {a.N} queries moved to {a.Target}"
                    + (a.QueryStats is { MeanQueriesBroken: { } mq } ? $" (Square: {mq:F1} model queries per moved query)" : ""));
        Console.Error.WriteLine($"{result.Benchmark}: wrote {jsonOut}");
        return Task.FromResult(result.Sanity.All(s => s.Passed) ? 0 : 3);
    }
}
