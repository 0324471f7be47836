using System.Globalization;
using Portal.Engine.Fetch;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal fetch SOURCE --to DIR [--sha256 HEX] [--revision REV] [--max-bytes N] [--allow-host HOST]... [--token-env NAME] [--hub-url URL]`:
/// a checkpoint by https URL or hf-hub:org/repo[/file], resumable, size-capped, hashed (JSON).
/// </summary>
public sealed class FetchCommand : ICommand
{
    public string[] Path => ["fetch"];
    public string Summary => "download a checkpoint by URL or hf-hub:org/repo[/file] (resumable, size-capped, sha256; JSON)";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "quiet" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        if (args.Positionals.Count != 1) throw new CliException("usage: portal fetch SOURCE --to DIR (SOURCE: https://…/file or hf-hub:org/repo[/file])");
        var source = args.Positionals[0];
        var to = args.Required("to");
        var sha = args.Get("sha256");
        if (sha != null && (sha.Length != 64 || !sha.All(Uri.IsHexDigit))) throw new CliException("--sha256 expects 64 hex digits");
        var revision = args.Get("revision");
        var options = Options(args, args.Flag("quiet"));
        var hubUrl = args.Get("hub-url") ?? Environment.GetEnvironmentVariable("PORTAL_HF_ENDPOINT");
        args.EnsureAllUsed();
        try
        {
            var r = await new CheckpointFetcher(options, hubUrl).FetchAsync(source, to, sha, revision, ct);
            if (!args.Flag("quiet")) Console.Error.WriteLine();
            JsonOut.Write(new
            {
                path = r.Download.Path,
                bytes = r.Download.Bytes,
                sha256 = r.Download.Sha256,
                sha256_checked = sha != null,
                source,
                source_url = FetchHttp.Redact(new Uri(r.Download.SourceUrl)),
                resolved_url = FetchHttp.Redact(new Uri(r.Download.ResolvedUrl)),
                revision = r.Revision,
                hub_file = r.HubFile,
                already_present = r.Download.AlreadyPresent,
                attempts = r.Download.Attempts,
                resumed_from = r.Download.ResumedFrom,
            });
            return 0;
        }
        catch (FetchException e) { throw new CliException(e.Message); }
    }

    /// <summary>The options shared with `datasets fetch`: --max-bytes, --allow-host (repeatable), --token-env (default HF_TOKEN), progress on stderr.</summary>
    internal static FetchOptions Options(CliArgs args, bool quiet)
    {
        var max = FetchOptions.DefaultMaxBytes;
        if (args.Get("max-bytes") is { } m && !long.TryParse(m, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max <= 0)
            throw new CliException($"--max-bytes expects a positive integer, got '{args.Get("max-bytes")}'");
        var tokenEnv = args.Get("token-env");
        // The token is read here and only ever placed in a request header: never printed, never in a message.
        var token = Environment.GetEnvironmentVariable(tokenEnv ?? "HF_TOKEN");
        if (tokenEnv != null && string.IsNullOrEmpty(token)) throw new CliException($"--token-env {tokenEnv}: that environment variable is empty");
        long lastShown = -1;
        return new FetchOptions
        {
            MaxBytes = max,
            AllowedHosts = args.All("allow-host").ToList(),
            BearerToken = string.IsNullOrEmpty(token) ? null : token,
            Progress = quiet ? null : (n, total) =>
            {
                // About 1% steps, or every 16 MiB without a known total.
                var step = total is long t ? Math.Max(1, t / 100) : 16L << 20;
                if (n / step == lastShown / step && n != total) return;
                lastShown = n;
                Console.Error.Write(total is long tt ? $"\r{n:N0} / {tt:N0} bytes ({100.0 * n / Math.Max(1, tt):0}%)   " : $"\r{n:N0} bytes   ");
            },
        };
    }
}
