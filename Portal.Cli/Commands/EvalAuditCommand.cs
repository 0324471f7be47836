using System.Text.Json;
using Portal.Engine.Attacks;
using Portal.Engine.Audit;
using Portal.Engine.Datasets;
using Portal.Engine.Progress;
using Portal.Engine.Runtime;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal eval audit --checkpoint F --dataset DIR [--format nights|bapps] [--split test] [--norm linf|l2] [--eps 4/255]
/// [--iters 100] [--items 500] [--queries 5000] [--restarts 5] [--seed 0] [--batch 16] [--device cpu|cuda] --json OUT.json`:
/// is the attack behind a robust 2AFC number strong enough? The ε curve, the iteration curve, 1 vs N restarts, the
/// Square Attack and the worst case per item, with a verdict (docs/two-afc.md). Exit code 4 when the verdict warns.
/// </summary>
public sealed class EvalAuditCommand : ICommand
{
    public string[] Path => ["eval", "audit"];
    public string Summary => "attack audit of a robust 2AFC result: ε and iteration curves, restarts, Square, worst case, verdict";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "allow-torchscript", "skip-bad", "quiet" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoint = args.Required("checkpoint");
        var dataset = args.Required("dataset");
        var json = args.Required("json");
        var format = args.Get("format");
        var splitArg = args.Get("split");
        var split = splitArg ?? "test";
        var norm = (args.Get("norm") ?? "linf").ToLowerInvariant();
        var eps = args.Double("eps", norm == "l2" ? 3.0 : 4.0 / 255);
        var options = new AuditOptions
        {
            Norm = norm switch { "linf" => ThreatNorm.Linf, "l2" => ThreatNorm.L2, _ => throw new CliException($"--norm must be linf or l2, got '{norm}'") },
            Eps = eps,
            Iterations = args.Int("iters", 100),
            Items = args.Int("items", 500),
            SquareQueries = args.Int("queries", 5000),
            Restarts = args.Int("restarts", 5),
            Seed = args.Int("seed", 0),
            BatchSize = args.Int("batch", 16),
        };
        var skipBad = args.Flag("skip-bad");
        var quiet = args.Flag("quiet");
        var device = Devices.Parse(args.Get("device"));
        var load = EncoderArgs.Read(args, device);
        args.EnsureAllUsed();
        try { options.Validate(); } catch (ArgumentException e) { throw new CliException(e.Message); }

        var data = Eval2AfcCommand.LoadDataset(dataset, ref format, ref split, skipBad, splitArg != null);

        using var model = Eval2AfcCommand.OpenModel(checkpoint, load, device, out var checkpointHash);
        var report = AttackAudit.Run(model, data.Items, data.Name, options, quiet ? null : new StderrLines(), ct);
        var full = System.IO.Path.GetFullPath(json);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, JsonSerializer.Serialize(new { model = new { checkpoint, sha256 = checkpointHash, name = model.Name }, format, split, report, passed = report.Passed, verdict = report.Verdict }, JsonOut.Options));
        JsonOut.Write(new
        {
            output = full, report.N, report.CleanAccuracy, report.ApgdRobustAccuracy, report.SquareRobustAccuracy, report.WorstCaseRobustAccuracy,
            passed = report.Passed, verdict = report.Verdict, report.WallSeconds, report.CostRelativeToApgd,
        });
        return Task.FromResult(report.Passed ? 0 : 4);
    }

    private sealed class StderrLines : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress p) => Console.Error.WriteLine($"[{p.Phase}] {p.Done}/{p.Total}");
    }
}
