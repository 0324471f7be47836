using Portal.Engine.Encoders;
using Portal.Engine.Runtime;
using Portal.Engine.Training;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal robustify --checkpoint F --images DIR --out DIR [--eps 4/255] [--steps N] [--inner-steps 10]
/// [--inner-step 1/255] [--attack pgd|apgd] [--lr 1e-5] [--wd 1e-4] [--warmup N] [--batch N] [--seed 0] [--flip]
/// [--state-every N] [--device cpu|cuda] [--resume]`: FARE fine-tuning. Writes OUT/model.safetensors, OUT/fare.json
/// and resumable state in OUT/state (Ctrl-C saves it; rerun with --resume to continue).
/// </summary>
public sealed class RobustifyCommand : ICommand
{
    public string[] Path => ["robustify"];
    public string Summary => "FARE adversarial fine-tuning of an encoder on an image folder";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "resume", "flip", "quiet", "force" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var d = new FareOptions();
        var checkpoint = args.Required("checkpoint");
        var images = args.Required("images");
        var output = args.Required("out");
        var attack = (args.Get("attack") ?? "pgd").ToLowerInvariant();
        var seedText = args.Get("seed") ?? "0";
        var options = new FareOptions
        {
            Eps = args.Double("eps", d.Eps),
            Steps = args.Int("steps", d.Steps),
            InnerSteps = args.Int("inner-steps", d.InnerSteps),
            InnerStepSize = args.Double("inner-step", d.InnerStepSize),
            LearningRate = args.Double("lr", d.LearningRate),
            WeightDecay = args.Double("wd", d.WeightDecay),
            WarmupSteps = args.Int("warmup", d.WarmupSteps),
            BatchSize = args.Int("batch", d.BatchSize),
            StateEvery = args.Int("state-every", d.StateEvery),
            HorizontalFlip = args.Flag("flip"),
            Attack = attack switch
            {
                "pgd" => InnerAttack.Pgd,
                "apgd" => InnerAttack.Apgd,
                _ => throw new CliException($"--attack must be pgd or apgd, got '{attack}'"),
            },
            Seed = ulong.TryParse(seedText, out var s) ? s : throw new CliException($"--seed expects a non-negative integer, got '{seedText}'"),
        };
        var resume = args.Flag("resume");
        var quiet = args.Flag("quiet");
        var load = new EncoderLoadOptions { Architecture = args.Get("arch"), Force = args.Flag("force"), LoraPath = args.Get("lora"), Device = Devices.Parse(args.Get("device")) };
        args.EnsureAllUsed();
        try { options.Validate(); }
        catch (ArgumentException e) { throw new CliException(e.Message); }
        if (!Directory.Exists(images)) throw new CliException($"--images folder not found: {images}");

        IProgress<FareProgress>? progress = quiet ? null : new Lines();
        var r = FareJob.Run(new FareJobSpec(checkpoint, images, output, options) { Load = load, Resume = resume }, progress, ct);
        JsonOut.Write(new
        {
            model = System.IO.Path.GetFullPath(r.ModelPath),
            sha256 = r.ModelSha256,
            parent_sha256 = r.ParentSha256,
            r.Steps,
            r.Resumed,
            final_adversarial_distance = r.Last?.AdversarialDistance,
            final_clean_distance = r.Last?.CleanDistance,
        });
        return Task.FromResult(0);
    }

    /// <summary>One line per step on stderr; stdout stays a single JSON document.</summary>
    private sealed class Lines : IProgress<FareProgress>
    {
        public void Report(FareProgress p) => Console.Error.WriteLine(p.Phase == "training"
            ? $"[fare] step {p.Step}/{p.TotalSteps} lr {p.LearningRate:G3} adv-dist {p.AdversarialDistance:G4} clean-dist {p.CleanDistance:G4} eta {p.Eta:hh\\:mm\\:ss}"
            : $"[fare] {p.Phase} at step {p.Step}/{p.TotalSteps}");
    }
}
