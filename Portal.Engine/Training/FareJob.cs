using System.Text.Json;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;

namespace Portal.Engine.Training;

/// <summary>What to robustify, from where, into where.</summary>
public sealed record FareJobSpec(string Checkpoint, string ImageFolder, string OutputDir, FareOptions Options)
{
    public EncoderLoadOptions Load { get; init; } = new();
    /// <summary>Continue from OutputDir/state when it exists (otherwise an existing state is refused, not overwritten).</summary>
    public bool Resume { get; init; }
}

/// <summary>What a finished job wrote.</summary>
public sealed record FareJobResult(string ModelPath, string ModelSha256, string ParentSha256, int Steps, bool Resumed, FareProgress? Last);

/// <summary>
/// The whole "robustify" job the CLI and the portal run: load the encoder twice (frozen original, trainable
/// student), train on the image folder with FARE, write OutputDir/model.safetensors (canonical visual-tower keys,
/// loadable by <see cref="EncoderLoader"/>, recipe and lineage in the metadata) and OutputDir/fare.json.
/// Resumable state lives in OutputDir/state; cancellation saves it, and re-running with Resume continues.
/// </summary>
public static class FareJob
{
    public const string ModelFile = "model.safetensors";
    public const string SummaryFile = "fare.json";
    public const string StateFolder = "state";

    public static FareJobResult Run(FareJobSpec spec, IProgress<FareProgress>? progress, CancellationToken ct)
    {
        spec.Options.Validate();
        var stateDir = Path.Combine(spec.OutputDir, StateFolder);
        if (!spec.Resume && FareState.TryRead(stateDir) is not null)
            throw new InvalidOperationException($"{stateDir} already holds a FARE run; resume it (--resume) or choose another output folder");
        if (!File.Exists(spec.Checkpoint)) throw new CheckpointFormatException($"checkpoint not found: {spec.Checkpoint}");
        var parentSha = FileHash.Sha256(spec.Checkpoint);

        using var original = AsNative(EncoderLoader.Load(spec.Checkpoint, spec.Load), spec.Checkpoint);
        using var student = TowerWeights.Clone(original);
        var images = new ImageFolderImages(spec.ImageFolder, original.Info.Preprocessing);
        using var trainer = new FareTrainer(original, student, images, spec.Options, stateDir);
        bool resumed = trainer.TryResume();
        progress?.Report(new FareProgress(resumed ? "resuming" : "starting", trainer.Step, spec.Options.Steps, double.NaN, double.NaN, double.NaN, 0, TimeSpan.Zero, null));
        var last = trainer.Run(progress, ct);

        var modelPath = Path.Combine(spec.OutputDir, ModelFile);
        var o = spec.Options;
        TowerWeights.Save(student, modelPath, new Dictionary<string, string>
        {
            ["portal.fare.parent_sha256"] = parentSha,
            ["portal.fare.parent"] = Path.GetFileName(spec.Checkpoint),
            ["portal.fare.options"] = FareState.Serialize(o),
            ["portal.fare.images"] = $"{images.Count} images, fingerprint {images.Fingerprint}",
        });
        var result = new FareJobResult(modelPath, FileHash.Sha256(modelPath), parentSha, trainer.Step, resumed, last);
        File.WriteAllText(Path.Combine(spec.OutputDir, SummaryFile), JsonSerializer.Serialize(new
        {
            model = ModelFile,
            model_sha256 = result.ModelSha256,
            parent = Path.GetFullPath(spec.Checkpoint),
            parent_sha256 = parentSha,
            architecture = original.Tower.Spec.SizeName,
            images = new { folder = Path.GetFullPath(spec.ImageFolder), count = images.Count, fingerprint = images.Fingerprint },
            options = o,
            steps = trainer.Step,
            final = last,
            engine = EngineInfo.Version,
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        return result;
    }

    /// <summary>FARE needs the native tower's parameters: TorchScript encoders and MLP heads are refused by name.</summary>
    public static NativeEncoder AsNative(IImageEncoder encoder, string source)
    {
        if (encoder is NativeEncoder n && n.Head is null) return n;
        encoder.Dispose();
        throw new ArgumentException(encoder is NativeEncoder
            ? $"{source}: FARE fine-tunes the visual tower only; load it without --mlp-head"
            : $"{source}: only native encoders (OpenCLIP ConvNeXt/ViT, DINO ViT state dicts) can be fine-tuned, not {encoder.GetType().Name}");
    }
}
