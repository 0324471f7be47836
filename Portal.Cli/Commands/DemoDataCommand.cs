using Portal.Engine.Demo.World;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal demo data --out DIR [--twoafc 200] [--gallery 20] [--queries 5] [--detection 50] [--portal-2afc 300]`: writes the demo world's
/// benchmarks: DIR/2afc (NIGHTS layout), DIR/retrieval/{gallery,queries}/CLASS, DIR/detection/{hazard,clear}, and with --portal-2afc N the
/// portal's first-start 2AFC benchmark (N triplets, 64×64) in DIR/portal-2afc.
/// </summary>
public sealed class DemoDataCommand : ICommand
{
    public string[] Path => ["demo", "data"];
    public string Summary => "write the demo world's 2AFC, retrieval and detection folders";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var output = args.Required("out");
        int twoAfc = args.Int("twoafc", 200), gallery = args.Int("gallery", 20), queries = args.Int("queries", 5), detection = args.Int("detection", 50);
        int portal2Afc = args.Int("portal-2afc", 0);
        args.EnsureAllUsed();
        if (twoAfc < 1 || gallery < 1 || queries < 1 || detection < 1) throw new CliException("counts must be at least 1");
        if (portal2Afc < 0) throw new CliException("--portal-2afc must not be negative");
        DemoWorldBenchmarks.WriteTwoAfc(System.IO.Path.Combine(output, "2afc"), twoAfc);
        DemoWorldBenchmarks.WriteRetrieval(System.IO.Path.Combine(output, "retrieval"), gallery, queries);
        DemoWorldBenchmarks.WriteDetection(System.IO.Path.Combine(output, "detection"), detection);
        // The portal's own first-start benchmark (Demo 2AFC (procedural)), so its figures can be measured from the CLI.
        if (portal2Afc > 0) Portal.Engine.Demo.DemoTwoAfcGenerator.EnsureGenerated(System.IO.Path.Combine(output, "portal-2afc"), new(portal2Afc));
        JsonOut.Write(new { output = System.IO.Path.GetFullPath(output), two_afc = twoAfc, portal_2afc = portal2Afc, gallery_per_class = gallery, queries_per_class = queries, detection_per_side = detection });
        return Task.FromResult(0);
    }
}
