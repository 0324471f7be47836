using System.Text.Json;
using Portal.Engine;
using Portal.Engine.Checkpoints;
using Portal.Engine.Datasets;
using Portal.Engine.Encoders;
using Portal.Engine.Metric;
using Portal.Engine.Progress;
using Portal.Engine.Runtime;
using Portal.Engine.Runtime.Memory;
using Portal.Engine.TwoAfc;
using Portal.Engine.Attacks;
using Portal.Engine.Records;
using TorchSharp;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal eval 2afc --checkpoint F --dataset DIR [--format nights|bapps] [--split test] [--attack none|apgd|square]
/// [--norm linf|l2] [--eps 4/255] [--iters 100] [--queries 5000] [--restarts 1] [--seed 0] [--limit N] [--batch N|auto]
/// [--device cpu|cuda] [--threads N] [--cache DIR] [--attack-precision float32|bf16] [--profile] --json OUT.json`. `--attack-precision bf16` runs
/// the attack's forward and backward passes on a bfloat16 copy of the encoder and scores what it finds in float32 (the
/// result's attack says so; float32 stays the default, and the one for published numbers). `--profile` prints where the time went (stderr, and
/// `profile` in the output); `--cache DIR` keeps the candidates' clean embeddings for the next run on this dataset (clean → L∞ → L2). `--iters` is APGD's budget, `--queries` the Square Attack's (its output adds
/// per-item `queries` and `query_stats`). Per-item results go to OUT.json.items.jsonl as batches finish; rerunning the same command after
/// a kill resumes from it (with `--batch auto`, rerun with the batch it printed: the batches are part of the run). `--batch auto` sizes the batch from
/// the memory free on the device (host RAM for cpu) with a measured peak. `--checkpoint builtin:pixel-l2` evaluates the pixel-space L2 baseline.
/// </summary>
public sealed class Eval2AfcCommand : ICommand
{
    public string[] Path => ["eval", "2afc"];
    public string Summary => "2AFC accuracy (NIGHTS, BAPPS), clean and under APGD or Square";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "allow-torchscript", "force", "skip-bad", "quiet", "profile" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var startup = ProfileReport.SinceProcessStart();
        var checkpoint = args.Required("checkpoint");
        var dataset = args.Required("dataset");
        var json = args.Required("json");
        var format = args.Get("format");
        var splitArg = args.Get("split");
        var split = splitArg ?? "test";
        var attackKind = (args.Get("attack") ?? "none").ToLowerInvariant();
        var norm = (args.Get("norm") ?? "linf").ToLowerInvariant();
        var eps = args.Double("eps", norm == "l2" ? 3.0 : 4.0 / 255);
        var iters = args.Int("iters", 100);
        var queries = args.Int("queries", 5000);
        var restarts = args.Int("restarts", 1);
        var seed = args.Int("seed", 0);
        var limitText = args.Get("limit");
        var batchText = args.Get("batch") ?? "16";
        var sweepText = args.Get("eps-sweep");
        var skipBad = args.Flag("skip-bad");
        var quiet = args.Flag("quiet");
        var profiling = args.Flag("profile");
        var threads = args.Int("threads", 0);
        var cacheDir = args.Get("cache");
        var precision = (args.Get("attack-precision") ?? "float32").ToLowerInvariant();
        var device = Devices.Parse(args.Get("device"));
        var load = EncoderArgs.Read(args, device);
        args.EnsureAllUsed();
        if (attackKind is not ("none" or "apgd" or "square")) throw new CliException($"--attack must be none, apgd or square, got '{attackKind}'");
        if (norm is not ("linf" or "l2")) throw new CliException($"--norm must be linf or l2, got '{norm}'");
        if (eps < 0) throw new CliException("--eps must be ≥ 0");
        var sizeFromMemory = batchText.Equals("auto", StringComparison.OrdinalIgnoreCase);
        int batch = sizeFromMemory ? 0 : int.TryParse(batchText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bn) && bn > 0 ? bn
            : throw new CliException($"--batch expects a positive integer or auto, got '{batchText}'");
        if (iters < 1 || restarts < 1 || queries < 1) throw new CliException("--iters, --queries and --restarts must be at least 1");
        int? limit = limitText == null ? null : int.TryParse(limitText, out var l) && l > 0 ? l : throw new CliException($"--limit expects a positive integer, got '{limitText}'");
        if (threads < 0) throw new CliException("--threads must be ≥ 0 (0: libtorch's default, one per core)");
        if (precision is not ("float32" or AttackConfig.Bf16)) throw new CliException($"--attack-precision must be float32 or bf16, got '{precision}'");
        if (precision == AttackConfig.Bf16 && attackKind == "none") throw new CliException("--attack-precision bf16 sets the attack's precision; there is no attack (--attack none)");
        if (precision == AttackConfig.Bf16 && checkpoint.StartsWith("builtin:", StringComparison.Ordinal)) throw new CliException($"--attack-precision bf16 needs an encoder checkpoint; {checkpoint} has no weights to cast");
        if (threads > 0) torch.set_num_threads(threads);
        var sweep = sweepText?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => CliArgs.ParseNumber(s, "eps-sweep")).ToList();

        var profile = profiling ? new Profile(device) : null;
        using var active = profile?.Activate();
        profile?.Add("process start, runtime and JIT", startup);
        TwoAfcDatasetLoad data;
        using (Profile.Phase("read dataset listing"))
            data = LoadDataset(dataset, ref format, ref split, skipBad, splitArg != null);

        var options = new TwoAfcOptions
        {
            Attack = attackKind switch
            {
                "none" => AttackConfig.None,
                // Square uses no gradient iterations: its budget is the query count.
                "square" => new AttackConfig { Kind = "square", Norm = norm, Eps = eps, Iterations = 0, Queries = queries, Restarts = restarts, Seed = seed },
                _ => new AttackConfig { Kind = "apgd", Norm = norm, Eps = eps, Iterations = iters, Restarts = restarts, Seed = seed },
            },
            BatchSize = batch,
            Limit = limit,
            SkipBadItems = skipBad,
            EpsSweep = sweep,
        };
        IPerceptualModel model;
        string checkpointHash;
        using (Profile.Phase("load checkpoint"))
            model = OpenModel(checkpoint, load, device, out checkpointHash);
        using var _ = model;
        IPerceptualModel? searcher = null;
        if (precision == AttackConfig.Bf16)
        {
            options = options with { Attack = options.Attack with { Precision = AttackConfig.Bf16 } };
            using (Profile.Phase("load checkpoint"))
                searcher = OpenModel(checkpoint, load with { DType = TorchSharp.torch.ScalarType.BFloat16 }, device, out var _);
        }
        using var __ = searcher;
        string batchSizing = $"given (--batch {batchText})";
        if (sizeFromMemory)
        {
            BatchSizeChoice choice;
            using (Profile.Phase("size the batch from memory"))
                try { choice = BatchSizer.Choose(MemoryGauges.For(device), BatchSizer.AttackStep(model)); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException) { throw new CliException($"--batch auto: {e.Message}; give --batch N"); }
            if (choice.Problem is not null) throw new CliException($"--batch auto: {choice.Describe()}; give --batch N");
            batch = choice.Batch;
            batchSizing = "--batch auto: " + choice.Describe();
            options = options with { BatchSize = batch };
            if (!quiet) Console.Error.WriteLine($"{batchSizing} (rerun with --batch {batch} to resume this run)");
        }
        // The partial-results file is tied to everything that determines the numbers.
        var fingerprint = FileHash.Sha256(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            checkpointHash, format, split, dataset = System.IO.Path.GetFullPath(dataset), options.Attack, batch, limit, skipBad,
            load.Architecture, load.MlpHeadPath, load.LoraPath,
        })));
        if (cacheDir != null)
            options = options with { CandidateCache = new CandidateEmbeddings(new EmbeddingCache(folder: cacheDir),
                Portal.Engine.Retrieval.RetrievalEmbeddings.ModelKey(checkpointHash + ContentKey(load.MlpHeadPath) + ContentKey(load.LoraPath), model.Preprocessing)) };
        var storePath = json + ".items.jsonl";
        var store = new JsonlRecordStore<TwoAfcItemResult>(storePath, fingerprint);
        var progress = quiet ? null : new StderrProgress();
        var result = TwoAfcTask.Run(model, data, options, store, progress, ct, searcher);
        var writing = Profile.Phase("write result JSON");

        var output = new
        {
            benchmark = result.Benchmark,
            format,
            split,
            model = new { checkpoint = checkpoint, sha256 = checkpointHash, name = model.Name, preprocessing = model.Preprocessing },
            result.N,
            batch_size = batch,
            batch_sizing = batchSizing,
            result.CleanAccuracy,
            result.RobustAccuracy,
            result.LpipsScore,
            result.Splits,
            result.Attack,
            result.Sanity,
            result.EpsSweep,
            result.QueryStats,
            result.SkippedItems,
            result.BadItems,
            result.ResumedItems,
            result.EngineVersion,
            result.Device,
            result.WallSeconds,
            result.Items,
        };
        var full = System.IO.Path.GetFullPath(json);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(json, JsonSerializer.Serialize(output, JsonOut.Options));
        File.Delete(storePath);   // the final JSON now holds every item
        writing.Dispose();
        IReadOnlyList<ProfileReport.Row>? profileRows = null;
        if (profile != null)
        {
            var wall = ProfileReport.SinceProcessStart();
            profileRows = ProfileReport.Rows(profile, wall);
            ProfileReport.Print(profileRows, wall, Console.Error);
        }
        JsonOut.Write(new
        {
            output = full,
            result.N,
            result.CleanAccuracy,
            result.RobustAccuracy,
            result.LpipsScore,
            sanity_passed = result.Sanity.All(s => s.Passed),
            mean_queries_broken = result.QueryStats?.MeanQueriesBroken,
            result.SkippedItems,
            result.ResumedItems,
            result.WallSeconds,
            profile = profileRows,
        });
        return Task.FromResult(result.Sanity.All(s => s.Passed) ? 0 : 3);
    }

    /// <summary>"|sha256" of a file, or of every file of a folder in ordinal order; "" for none (a LoRA or head changes the embedding).</summary>
    private static string ContentKey(string? path) =>
        path == null ? ""
        : Directory.Exists(path) ? "|" + string.Join(",", Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(FileHash.Sha256))
        : "|" + FileHash.Sha256(path);

    /// <summary>A NIGHTS or BAPPS folder (format detected when not given); unreadable items stop the run unless skipped.</summary>
    /// <param name="splitGiven">--split was on the command line; without it a NIGHTS-layout folder with no test rows but
    /// procedural ones (the demo's generated sets) is evaluated on those, and stderr says so.</param>
    internal static TwoAfcDatasetLoad LoadDataset(string dataset, ref string? format, ref string split, bool skipBad, bool splitGiven = true)
    {
        format ??= NightsReader.LooksLike(dataset) ? "nights" : BappsReader.LooksLike(dataset) ? "bapps"
            : throw new CliException($"{dataset} is neither a NIGHTS folder (data.csv) nor a BAPPS folder (2afc/val/<split>); pass --format");
        var data = format switch
        {
            "nights" => NightsReader.Load(dataset, split),
            "bapps" => BappsReader.Load(dataset, split),
            _ => throw new CliException($"--format must be nights or bapps, got '{format}'"),
        };
        if (format == "nights" && !splitGiven && data.Items.Count == 0 && data.Bad.Count == 0
            && NightsReader.Load(dataset, NightsReader.ProceduralSplit) is { Items.Count: > 0 } procedural)
        {
            Console.Error.WriteLine($"{dataset}: no NIGHTS test rows; evaluating its generated rows (--split {NightsReader.ProceduralSplit})");
            split = NightsReader.ProceduralSplit;
            data = procedural;
        }
        if (data.Bad.Count > 0 && !skipBad) throw new TwoAfcBadItemsException(data.Bad);
        return data;
    }

    /// <summary>builtin:pixel-l2, or any checkpoint the encoder loader accepts.</summary>
    internal static IPerceptualModel OpenModel(string checkpoint, EncoderLoadOptions load, TorchSharp.torch.Device device, out string hash)
    {
        if (checkpoint.StartsWith("builtin:", StringComparison.Ordinal))
        {
            hash = checkpoint;
            return checkpoint switch
            {
                "builtin:pixel-l2" => new PixelL2(224, device),
                _ => throw new CliException($"unknown built-in model '{checkpoint}' (builtin:pixel-l2)"),
            };
        }
        if (!File.Exists(checkpoint) && !Directory.Exists(checkpoint)) throw new CliException($"checkpoint not found: {checkpoint}");
        hash = File.Exists(checkpoint) ? FileHash.Sha256(checkpoint) : checkpoint;
        var encoder = EncoderLoader.Load(checkpoint, load);
        return new EncoderMetric(encoder);
    }

    /// <summary>One line per batch on stderr, so stdout stays a single JSON document.</summary>
    private sealed class StderrProgress : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress p)
        {
            var robust = p.RobustAccuracy is double r ? $" robust {r:P2}" : "";
            var clean = p.CleanAccuracy is double c ? $" clean {c:P2}" : "";
            var eta = p.Eta is TimeSpan e ? $" eta {e:hh\\:mm\\:ss}" : "";
            Console.Error.WriteLine($"[{p.Phase}] {p.Done}/{p.Total}{clean}{robust}{eta}");
        }
    }
}
