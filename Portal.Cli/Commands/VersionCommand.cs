using Portal.Engine;

namespace Portal.Cli.Commands;

public sealed class VersionCommand : ICommand
{
    public string[] Path => ["version"];
    public string Summary => "engine version and torch backend";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        args.EnsureAllUsed();
        JsonOut.Write(new { engine_version = EngineInfo.Version, libtorch = TorchSharp.torch.__version__, cuda_available = TorchSharp.torch.cuda.is_available() });
        return Task.FromResult(0);
    }
}
