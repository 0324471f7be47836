using System.Text.Json;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders.Native;
using Portal.Engine.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Demo.World;

public sealed record DemoTrainingOptions
{
    public ulong Seed { get; init; }
    /// <summary>
    /// Supervised pre-training steps of the clean encoder (fresh world images every step). The shape classes need
    /// long training: the loss sits near chance (1.95) for the first few hundred steps, then drops (~0.9 at 1500).
    /// </summary>
    public int CleanSteps { get; init; } = 1500;
    public int CleanBatchSize { get; init; } = 64;
    public double CleanLearningRate { get; init; } = 3e-3;
    /// <summary>ConvNeXt layer-scale (gamma) init for training from scratch: timm's 1e-6 leaves the blocks idle; 1 lets them learn from step one.</summary>
    public double LayerScaleInit { get; init; } = 1.0;
    /// <summary>
    /// Re-initialise every weight matrix/kernel with N(0, 1/fan_in) (LeCun). timm's fixed std 0.02 suits fan-ins of
    /// hundreds; at fan-ins of 16–64 it leaves GELU's inputs so small that the net starts almost linear and sits on a
    /// plateau (only colour/texture classes learnt) for a seed-dependent number of steps.
    /// </summary>
    public bool FanInInit { get; init; } = true;
    public int FareSteps { get; init; } = 1000;
    public int BatchSize { get; init; } = 32;
    /// <summary>FARE's ε for the demo (the paper's 4/255; at 64×64 the budget per pixel is the same).</summary>
    public double FareEps { get; init; } = 4.0 / 255;
    /// <summary>Inner PGD steps and step size: 5 × 2/255 (half the cost of FARE's 10 × 1/255; same robustness measured here).</summary>
    public int FareInnerSteps { get; init; } = 5;
    public double FareInnerStepSize { get; init; } = 2.0 / 255;
    /// <summary>FARE's learning rate for the tiny model (FARE's 1e-5 is for a pre-trained ViT-L and 20k steps).</summary>
    public double FareLearningRate { get; init; } = 1e-3;
    /// <summary>Size of the fixed FARE image set drawn from the world.</summary>
    public int FareImages { get; init; } = 2048;

    public FareOptions Fare => new()
    {
        Eps = FareEps, Steps = FareSteps, BatchSize = BatchSize, InnerSteps = FareInnerSteps, InnerStepSize = FareInnerStepSize,
        LearningRate = FareLearningRate, WeightDecay = 1e-4, WarmupSteps = Math.Max(1, FareSteps / 10),
        Seed = TrainingOrder.Mix(Seed, 0xFA2E, 0), StateEvery = int.MaxValue,
    };
}

/// <summary>
/// Trains the demo encoders with the project's own code, deterministically from a seed.
/// Clean encoder: the tiny ConvNeXt plus a linear classifier over the world's 7 classes (the head is discarded; only
/// the tower is shipped), cross-entropy on fresh world images each step, AdamW (wd 0.05) with warm-up and cosine decay.
/// Robust encoder: FARE from the clean one on a fixed set of world images (<see cref="DemoTrainingOptions.Fare"/>).
/// Bit-for-bit reproducible on the CPU with libtorch at one thread (the CLI sets it).
/// </summary>
public static class DemoTraining
{
    public const string CleanFile = DemoWeights.CleanFile;
    public const string FareFile = DemoWeights.FareFile;
    public const string ManifestFile = DemoWeights.ManifestFile;

    /// <summary>The manifest shipped with the embedded weights.</summary>
    public static Manifest ShippedManifest()
    {
        using var s = DemoWeights.Open(ManifestFile);
        return JsonSerializer.Deserialize<Manifest>(s) ?? throw new InvalidDataException("empty demo manifest");
    }
    /// <summary>Steps whose weight fingerprints the manifest records, so a quick test can replay the start bitwise.</summary>
    public const int PrefixSteps = 3;

    public static NativeEncoder TrainClean(DemoTrainingOptions o, IProgress<string>? log, CancellationToken ct, int? stopAtStep = null)
    {
        var encoder = DemoWorld.NewEncoder(TrainingOrder.Mix(o.Seed, 0xC1EA, 0));
        // timm's layer-scale init (1e-6) leaves the blocks idle for hundreds of steps when training from scratch at
        // this size; 1 makes them contribute from the start (0.1 learnt visibly slower here).
        using (torch.no_grad())
        using (var gen = new Generator(TrainingOrder.Mix(o.Seed, 0xFA41, 0), CPU))
            foreach (var (name, p) in encoder.Tower.named_parameters())
            {
                if (name.EndsWith("gamma", StringComparison.Ordinal)) p.fill_(o.LayerScaleInit);
                else if (o.FanInInit && p.dim() >= 2) p.normal_(0, 1.0 / Math.Sqrt(p.shape.Skip(1).Aggregate(1L, (a, d) => a * d)), gen);
            }
        using var headW = torch.empty(WorldClasses.Count, DemoWorld.EncoderSpec.EmbedDim);
        using (var g = new Generator(TrainingOrder.Mix(o.Seed, 0x4EAD, 0), CPU)) headW.normal_(0, 0.02, g);
        var w = new Parameter(headW.clone(), requires_grad: true);
        var b = new Parameter(torch.zeros(WorldClasses.Count), requires_grad: true);
        var parameters = encoder.Tower.parameters().ToList();
        foreach (var p in parameters) p.requires_grad = true;
        using var opt = torch.optim.AdamW(parameters.Append(w).Append(b), o.CleanLearningRate, 0.9, 0.999, 1e-8, 0.05);
        var dataSeed = TrainingOrder.Mix(o.Seed, 0xDA7A, 0);
        int warmup = Math.Max(1, o.CleanSteps / 20);
        int steps = Math.Min(o.CleanSteps, stopAtStep ?? int.MaxValue);
        double emaLoss = double.NaN, emaAcc = double.NaN;
        for (int step = 0; step < steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            foreach (var g in opt.ParamGroups) g.LearningRate = CosineSchedule.At(step, o.CleanLearningRate, warmup, o.CleanSteps);
            long first = (long)step * o.CleanBatchSize;
            var x = torch.stack(Enumerable.Range(0, o.CleanBatchSize).Select(i => DemoWorld.Quantised(dataSeed, first + i)).ToList(), 0);
            var y = torch.tensor(Enumerable.Range(0, o.CleanBatchSize).Select(i => (long)DemoWorld.ClassOf(first + i)).ToArray());
            Tensor loss, logits;
            using (torch.enable_grad())
            {
                logits = nn.functional.linear(encoder.Forward(x), w, b);
                loss = nn.functional.cross_entropy(logits, y);
                opt.zero_grad();
                loss.backward();
            }
            opt.step();
            if (log != null)
            {
                // Running means over ~20 steps: the per-batch numbers are noisy.
                double l = loss.item<float>(), a = logits.argmax(1).eq(y).to(ScalarType.Float32).mean().item<float>();
                emaLoss = double.IsNaN(emaLoss) ? l : 0.95 * emaLoss + 0.05 * l;
                emaAcc = double.IsNaN(emaAcc) ? a : 0.95 * emaAcc + 0.05 * a;
                if ((step + 1) % 100 == 0 || step + 1 == steps) log.Report($"clean step {step + 1}/{o.CleanSteps} loss {emaLoss:F3} train accuracy {emaAcc:P1}");
            }
        }
        if (log != null && steps == o.CleanSteps)
            log.Report($"clean held-out accuracy (700 unseen world images, linear head of training): {HeldOutAccuracy(encoder, w, b, TrainingOrder.Mix(o.Seed, 0x4E1D, 0)):P1}");
        foreach (var p in parameters) p.requires_grad = false;
        w.Dispose(); b.Dispose();
        return encoder;
    }

    private static double HeldOutAccuracy(NativeEncoder encoder, Tensor w, Tensor b, ulong seed)
    {
        using var _ = torch.no_grad();
        int correct = 0, n = 700;
        for (int s = 0; s < n; s += 100)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.stack(Enumerable.Range(s, 100).Select(i => DemoWorld.Quantised(seed, i)).ToList(), 0);
            var y = torch.tensor(Enumerable.Range(s, 100).Select(i => (long)DemoWorld.ClassOf(i)).ToArray());
            correct += (int)nn.functional.linear(encoder.Forward(x), w, b).argmax(1).eq(y).sum().item<long>();
        }
        return (double)correct / n;
    }

    public static NativeEncoder TrainFare(NativeEncoder clean, DemoTrainingOptions o, IProgress<FareProgress>? progress, CancellationToken ct, int? stopAtStep = null)
    {
        var student = TowerWeights.Clone(clean);
        using var trainer = new FareTrainer(clean, student, new DemoWorldImages(TrainingOrder.Mix(o.Seed, 0xFA2E, 1), o.FareImages), o.Fare, stateDir: null);
        trainer.Run(progress, ct, stopAtStep);
        return student;
    }

    public sealed record Manifest(int Version, DemoTrainingOptions Options, int TorchThreads, IReadOnlyDictionary<string, string> Sha256,
        int PrefixSteps, string CleanPrefixFingerprint, string FarePrefixFingerprint);

    /// <summary>Trains both encoders and writes them, with a manifest of their hashes, into <paramref name="outDir"/>.</summary>
    public static Manifest Regenerate(string outDir, DemoTrainingOptions o, IProgress<string>? log, CancellationToken ct)
    {
        Directory.CreateDirectory(outDir);
        string cleanPrefix, farePrefix;
        using (var c = TrainClean(o, null, ct, PrefixSteps)) cleanPrefix = TowerWeights.Fingerprint(c);
        using var clean = TrainClean(o, log, ct);
        var meta = new Dictionary<string, string> { ["portal.demo"] = JsonSerializer.Serialize(o), ["portal.demo.version"] = DemoWorld.Version.ToString() };
        TowerWeights.Save(clean, Path.Combine(outDir, CleanFile), meta);
        using (var f = TrainFare(clean, o, null, ct, PrefixSteps)) farePrefix = TowerWeights.Fingerprint(f);
        var fareLog = log is null ? null : new InlineProgress<FareProgress>(p => { if (p.Step % 50 == 0 || p.Step == p.TotalSteps) log.Report($"fare step {p.Step}/{p.TotalSteps} adv {p.AdversarialDistance:F4} clean {p.CleanDistance:F4}"); });
        using var fare = TrainFare(clean, o, fareLog, ct);
        TowerWeights.Save(fare, Path.Combine(outDir, FareFile), new Dictionary<string, string>(meta) { ["portal.fare.parent"] = CleanFile, ["portal.fare.options"] = FareState.Serialize(o.Fare) });
        var manifest = new Manifest(DemoWorld.Version, o, torch.get_num_threads(),
            new Dictionary<string, string> { [CleanFile] = FileHash.Sha256(Path.Combine(outDir, CleanFile)), [FareFile] = FileHash.Sha256(Path.Combine(outDir, FareFile)) },
            PrefixSteps, cleanPrefix, farePrefix);
        File.WriteAllText(Path.Combine(outDir, ManifestFile), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
        return manifest;
    }

    /// <summary>Progress handled on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    public sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
