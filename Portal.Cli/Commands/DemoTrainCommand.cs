using Portal.Engine.Demo.World;
using TorchSharp;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal demo train --out DIR [--seed 0] [--clean-steps 1500] [--fare-steps 1000]
/// [--fare-eps 8/255] [--fare-inner-steps 5] [--fare-inner-step 2/255] [--fare-lr 1e-3]`: trains the demo's clean tiny
/// ConvNeXt and its FARE-robust copy from the seed and writes demo-clean.safetensors, demo-fare.safetensors and
/// manifest.json (sha256 of both). libtorch runs on one thread so the files are bit-for-bit the shipped ones.
/// </summary>
public sealed class DemoTrainCommand : ICommand
{
    public string[] Path => ["demo", "train"];
    public string Summary => "regenerate the demo encoders (clean + FARE) from a seed";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "quiet" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var output = args.Required("out");
        var defaults = new DemoTrainingOptions();
        var seedText = args.Get("seed") ?? "0";
        var cleanSteps = args.Int("clean-steps", defaults.CleanSteps);
        var fareSteps = args.Int("fare-steps", defaults.FareSteps);
        var fareEps = args.Double("fare-eps", defaults.FareEps);
        var fareInnerSteps = args.Int("fare-inner-steps", defaults.FareInnerSteps);
        var fareInnerStep = args.Double("fare-inner-step", defaults.FareInnerStepSize);
        var fareLr = args.Double("fare-lr", defaults.FareLearningRate);
        var quiet = args.Flag("quiet");
        args.EnsureAllUsed();
        if (!ulong.TryParse(seedText, out var seed)) throw new CliException($"--seed expects a non-negative integer, got '{seedText}'");
        if (cleanSteps < 1 || fareSteps < 1) throw new CliException("--clean-steps and --fare-steps must be at least 1");

        // Bitwise reproducibility: one intra-op thread (reduction order depends on the thread count).
        torch.set_num_threads(1);
        if (fareEps <= 0 || fareInnerSteps < 1 || fareInnerStep <= 0 || fareLr <= 0) throw new CliException("--fare-eps, --fare-inner-steps, --fare-inner-step and --fare-lr must be positive");
        var options = defaults with
        {
            Seed = seed, CleanSteps = cleanSteps, FareSteps = fareSteps, FareEps = fareEps, FareInnerSteps = fareInnerSteps,
            FareInnerStepSize = fareInnerStep, FareLearningRate = fareLr,
        };
        var log = quiet ? null : new DemoTraining.InlineProgress<string>(Console.Error.WriteLine);
        var manifest = DemoTraining.Regenerate(output, options, log, ct);
        JsonOut.Write(new { output = System.IO.Path.GetFullPath(output), manifest.Sha256, manifest.Options });
        return Task.FromResult(0);
    }
}
