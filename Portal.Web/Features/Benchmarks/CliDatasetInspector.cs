using Portal.Data.Entities;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Dispatch;

namespace Portal.Web.Features.Benchmarks;

/// <summary>
/// The web's <see cref="IDatasetInspector"/>: runs `portal datasets describe` (the worker executable) and reads the
/// JSON it prints, so the web never opens a pickle itself. Registration is an admin's occasional action; the second
/// or two a child process costs is fine there.
/// </summary>
public sealed class CliDatasetInspector(IOptions<PortalOptions> options, ILogger<CliDatasetInspector> log) : IDatasetInspector
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public async Task<BenchmarkShape> DescribeAsync(TaskKind kind, string format, string root, string split, CancellationToken ct)
    {
        await WorkerProcessLaunch.EnsureBuiltAsync(options.Value.Workers.Command, log, ct);
        var psi = WorkerProcessLaunch.Cli(options.Value.Workers.Command,
            ["datasets", "describe", "--kind", kind.Key(), "--format", format, "--root", root, "--split", split]).StartInfo();
        using var child = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var stdout = child.StandardOutput.ReadToEndAsync(ct);
        var stderr = child.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try { await child.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new InvalidDataException($"reading the dataset in {root} took longer than {Timeout.TotalMinutes:0} minutes");
        }
        if (child.ExitCode != 0)
        {
            var err = (await stderr).Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal));
            throw Rethrown(err != null ? err["error: ".Length..] : $"the dataset reader ended with exit code {child.ExitCode}");
        }
        return JsonSerializer.Deserialize<BenchmarkShape>(await stdout, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })
            ?? throw new InvalidDataException("the dataset reader printed nothing");
    }

    /// <summary>The CLI ends its one error line with the exception's type: keep its kind, so the API answers as it would in-process (a missing folder is 404).</summary>
    internal static Exception Rethrown(string line)
    {
        var m = System.Text.RegularExpressions.Regex.Match(line, @"^(?<msg>.*) \((?<type>\w+)\)$");
        var (msg, type) = m.Success ? (m.Groups["msg"].Value, m.Groups["type"].Value) : (line, "");
        return type switch
        {
            nameof(DirectoryNotFoundException) => new DirectoryNotFoundException(msg),
            nameof(FileNotFoundException) => new FileNotFoundException(msg),
            nameof(ArgumentException) or nameof(ArgumentOutOfRangeException) => new ArgumentException(msg),
            _ => new InvalidDataException(msg),
        };
    }
}
