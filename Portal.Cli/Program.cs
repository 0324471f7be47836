using Portal.Cli;
using Portal.Cli.Commands;


// One entry per command; each command lives in Commands/<Name>Command.cs.
ICommand[] commands =
[
    new VersionCommand(),
    new InspectCommand(),
    new EmbedCommand(),
    new BenchEncodersCommand(), new BenchBatchCommand(),
    new Eval2AfcCommand(), new EvalAuditCommand(),
    new BenchAttackCommand(),
    new BenchSquareCommand(),
    new EvalRetrievalCommand(),
    new EvalDetectionCommand(),
    new InvertFeaturesCommand(),
    new InvertTextCommand(),
    new InvertTableCommand(),
    new UserAddCommand(),
    new RobustifyCommand(),
    new DemoTrainCommand(),
    new DemoDataCommand(),
    new WorkerCommand(),
    new DatasetsDescribeCommand(), new DatasetsFetchCommand(),
    new FetchCommand(),
    new DataCopyCommand(), new DataBackupCommand(),
    new ReportedImportCommand(),
];

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.Error.WriteLine("usage: portal <command> [options]\n");
    foreach (var c in commands) Console.Error.WriteLine($"  {string.Join(' ', c.Path),-22} {c.Summary}");
    return args.Length == 0 ? 2 : 0;
}

var cmd = commands.Where(c => c.Path.Length <= args.Length && c.Path.SequenceEqual(args.Take(c.Path.Length)))
                  .OrderByDescending(c => c.Path.Length).FirstOrDefault();
if (cmd == null)
{
    Console.Error.WriteLine($"error: unknown command '{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))}' (try --help)");
    return 2;
}
try
{
    var parsed = new CliArgs(args.Skip(cmd.Path.Length), cmd.Flags);
    return await cmd.RunAsync(parsed, cts.Token);
}
catch (CliException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("error: cancelled");
    return 130;
}
catch (Exception e)
{
    // One line for the user; the type says where to look.
    Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")} ({e.GetType().Name})");
    return 1;
}
