using Portal.Engine.Encoders;
using TorchSharp;

namespace Portal.Cli;

/// <summary>
/// The encoder options of the commands that load any encoder a user names, fine-tuned variants included:
/// --arch, --allow-torchscript, --force, --mlp-head, --lora (their Flags must list allow-torchscript and force).
/// </summary>
internal static class EncoderArgs
{
    public static EncoderLoadOptions Read(CliArgs args, torch.Device device) => new()
    {
        Architecture = args.Get("arch"),
        AllowTorchScript = args.Flag("allow-torchscript"),
        Force = args.Flag("force"),
        MlpHeadPath = args.Get("mlp-head"),
        LoraPath = args.Get("lora"),
        Device = device,
    };
}
