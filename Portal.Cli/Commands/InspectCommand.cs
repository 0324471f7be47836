using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Runtime;

namespace Portal.Cli.Commands;

/// <summary>`portal inspect --checkpoint F`: what the engine sees in a checkpoint, without refusing on key mismatches.</summary>
public sealed class InspectCommand : ICommand
{
    public string[] Path => ["inspect"];
    public string Summary => "architecture, sizes, preprocessing, sha256 and key report of a checkpoint";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "allow-torchscript" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var path = args.Required("checkpoint");
        var options = new EncoderLoadOptions
        {
            Architecture = args.Get("arch"),
            AllowTorchScript = args.Flag("allow-torchscript"),
            MlpHeadPath = args.Get("mlp-head"),
            LoraPath = args.Get("lora"),
            Device = Devices.Parse(args.Get("device")),
            // Report mismatches instead of refusing: that is what inspect is for.
            Force = true,
        };
        args.EnsureAllUsed();
        if (!File.Exists(path)) throw new CliException($"checkpoint not found: {path}");
        var sha = FileHash.Sha256(path);
        using var encoder = EncoderLoader.Load(path, options);
        var info = encoder.Info;
        var p = info.Preprocessing;
        JsonOut.Write(new
        {
            file = System.IO.Path.GetFullPath(path),
            size_bytes = new FileInfo(path).Length,
            sha256 = sha,
            format = info.Format,
            architecture = info.Architecture,
            embedding_dim = info.EmbeddingDim,
            parameter_count = info.ParameterCount,
            resolution = new[] { p.ImageHeight, p.ImageWidth },
            preprocessing = new
            {
                resize = p.Mode switch { ResizeMode.ShorterSideCrop => "shorter-side-crop", ResizeMode.Squash => "squash", _ => "none" },
                resize_to = p.ResizeTo,
                crop = new[] { p.ImageHeight, p.ImageWidth },
                interpolation = p.Interpolation.ToString().ToLowerInvariant(),
                mean = p.Mean,
                std = p.Std,
            },
            details = info.Details,
            missing_keys = info.MissingKeys,
            unexpected_keys = info.UnexpectedKeys,
            loadable_without_force = info.MissingKeys.Count == 0 && info.UnexpectedKeys.Count == 0,
        });
        return Task.FromResult(0);
    }
}
