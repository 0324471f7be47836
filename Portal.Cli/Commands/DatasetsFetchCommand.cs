using Portal.Engine.Fetch;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal datasets fetch nights|bapps|roxford5k|rparis6k --to DIR [--base-url URL] [--max-bytes N] [--allow-host HOST]`:
/// a benchmark dataset from its official location into DIR/&lt;name&gt;, extracted safely, with the command that registers it (JSON).
/// </summary>
public sealed class DatasetsFetchCommand : ICommand
{
    public string[] Path => ["datasets", "fetch"];
    public string Summary => "download and safely extract nights | bapps | roxford5k | rparis6k; prints how to register it (JSON)";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "quiet" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        if (args.Positionals.Count != 1) throw new CliException($"usage: portal datasets fetch NAME --to DIR (NAME: {string.Join(" | ", DatasetCatalog.All.Select(d => d.Name))})");
        var quiet = args.Flag("quiet");
        var to = args.Required("to");
        var baseUrl = args.Get("base-url");
        var options = FetchCommand.Options(args, quiet) with { BearerToken = null }; // datasets are public; no token leaves for them
        args.EnsureAllUsed();
        try
        {
            var entry = DatasetCatalog.Get(args.Positionals[0]);
            var r = await new DatasetFetcher(options).FetchAsync(entry.Name, to, baseUrl, ct, quiet ? null : m => Console.Error.WriteLine("\n" + m));
            if (!quiet)
            {
                Console.Error.WriteLine(r.AlreadyComplete ? $"{r.Root} is already complete; nothing fetched" : $"{entry.Name} is in {r.Root}");
                foreach (var u in r.PinnedNow) Console.Error.WriteLine($"pinned in {DatasetFetcher.ChecksumsFile}: {u}");
            }
            JsonOut.Write(new
            {
                dataset = entry.Name,
                folder = r.Root,
                already_complete = r.AlreadyComplete,
                source = entry.Source,
                files = r.Files.Select(f => new { url = f.Url, bytes = f.Bytes, sha256 = f.Sha256, pinned_now = r.PinnedNow.Contains(f.Url) }),
                extracted_files = r.ExtractedFiles,
                extracted_bytes = r.ExtractedBytes,
                format = entry.Format,
                register = DatasetFetcher.RegisterCommands(entry, r.Root),
            });
            return 0;
        }
        catch (FetchException e) { throw new CliException(e.Message); }
    }
}
