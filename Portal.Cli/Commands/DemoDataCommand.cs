using Portal.Engine.Demo.World;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal demo data --out DIR [--twoafc 200] [--queries 1] [--detection 6] [--portal-2afc 300]`: writes the demo world's
/// benchmarks: DIR/2afc (NIGHTS layout), DIR/retrieval (revisitop layout, `rworld`: --queries per class) and DIR/detection
/// (pools|queries|targets/{safe,buffer,unsafe}: --detection pool images per class) — the retrieval and detection sets
/// the portal's first start writes, by the same writer — and with --portal-2afc N the portal's first-start 2AFC
/// benchmark (N triplets, 64×64) in DIR/portal-2afc. Every folder opens with the matching `portal eval` command.
/// </summary>
public sealed class DemoDataCommand : ICommand
{
    public string[] Path => ["demo", "data"];
    public string Summary => "write the demo world's 2AFC, retrieval and detection folders";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var output = args.Required("out");
        int twoAfc = args.Int("twoafc", 200), queries = args.Int("queries", DemoTaskData.QueriesPerClass), detection = args.Int("detection", DemoTaskData.PoolPerClass);
        int portal2Afc = args.Int("portal-2afc", 0);
        args.EnsureAllUsed();
        if (twoAfc < 1 || queries < 1 || detection < 1) throw new CliException("counts must be at least 1");
        if (portal2Afc < 0) throw new CliException("--portal-2afc must not be negative");
        DemoWorldBenchmarks.WriteTwoAfc(System.IO.Path.Combine(output, "2afc"), twoAfc);
        DemoTaskData.WriteRetrieval(System.IO.Path.Combine(output, "retrieval"), queries);
        DemoTaskData.WriteDetection(System.IO.Path.Combine(output, "detection"), detection);
        // The portal's own first-start benchmark (Demo 2AFC (procedural)), so its figures can be measured from the CLI.
        if (portal2Afc > 0) Portal.Engine.Demo.DemoTwoAfcGenerator.EnsureGenerated(System.IO.Path.Combine(output, "portal-2afc"), new(portal2Afc));
        JsonOut.Write(new { output = System.IO.Path.GetFullPath(output), two_afc = twoAfc, portal_2afc = portal2Afc, retrieval_queries_per_class = queries, detection_pool_per_class = detection });
        return Task.FromResult(0);
    }
}
