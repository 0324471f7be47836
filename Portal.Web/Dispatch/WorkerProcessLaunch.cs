using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Portal.Web.Dispatch;

/// <summary>
/// How to start one `portal worker --in-process` child: the Portal.Cli executable (its apphost, or its dll through the
/// dotnet host), the worker's flags, and the supervising process's Portal/Engine settings passed as environment
/// variables so the child sees exactly the configuration its supervisor sees (tests' in-memory settings included).
/// </summary>
public sealed record WorkerProcessLaunch(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)
{
    public const string CliName = "Portal.Cli";

    public static WorkerProcessLaunch For(string? command, IConfiguration config, IEnumerable<string> workerArgs)
    {
        var env = new Dictionary<string, string>();
        foreach (var kv in config.AsEnumerable())
            if (kv.Value != null && (kv.Key.StartsWith("Portal:", StringComparison.OrdinalIgnoreCase) || kv.Key.StartsWith("Engine:", StringComparison.OrdinalIgnoreCase)
                || kv.Key.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase)))
                env[kv.Key.Replace(":", "__", StringComparison.Ordinal)] = kv.Value;
        return Cli(command, ["worker", .. workerArgs], env);
    }

    /// <summary>Any `portal` command as a child process (the web's dataset reader, the worker's TorchScript probe).</summary>
    public static WorkerProcessLaunch Cli(string? command, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var exe = FindCli(command);
        var dll = exe.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        List<string> all = dll ? [exe, .. args] : [.. args];
        return new WorkerProcessLaunch(dll ? DotnetHost() : exe, all, env ?? new Dictionary<string, string>());
    }

    public ProcessStartInfo StartInfo()
    {
        var psi = new ProcessStartInfo(FileName)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = false, UseShellExecute = false,
        };
        foreach (var a in Arguments) psi.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>The setting, else Portal.Cli next to this program (tests, a publish folder), else the repository's build output (`dotnet run`).</summary>
    public static string FindCli(string? command)
    {
        if (!string.IsNullOrWhiteSpace(command))
            return File.Exists(command) ? Path.GetFullPath(command)
                : throw new FileNotFoundException($"Portal:Workers:Command names {command}, which does not exist");
        foreach (var name in new[] { CliName, CliName + ".dll" })
        {
            var here = Path.Combine(AppContext.BaseDirectory, name);
            if (File.Exists(here)) return here;
        }
        // Development layout: <repo>/Portal.Web/bin/<Configuration>/net10.0 → <repo>/Portal.Cli/bin/<Configuration>/net10.0.
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent?.Name ?? "Debug";
        for (var d = dir; d != null; d = d.Parent)
        {
            if (!File.Exists(Path.Combine(d.FullName, "Portal.sln"))) continue;
            foreach (var cfg in new[] { configuration, "Debug", "Release" })
            {
                var candidate = Path.Combine(d.FullName, CliName, "bin", cfg, dir.Name, CliName + ".dll");
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException($"no worker executable: {CliName} is neither next to {AppContext.BaseDirectory} nor built in the repository; build Portal.Cli or set Portal:Workers:Command");
    }

    /// <summary>
    /// `dotnet run --project Portal.Web` on a fresh clone builds the web only (the web cannot reference the worker: the
    /// worker references the web). When no worker executable exists yet and this is a repository checkout, build
    /// Portal.Cli once, in the web's configuration, before the first worker starts.
    /// </summary>
    public static Task EnsureBuiltAsync(string? command, ILogger log, CancellationToken ct)
    {
        // Once per process: the local workers, the dataset reader and the demo seeding all wait on the same build.
        lock (BuildGate) return _build ??= BuildOnceAsync(command, log, ct);
    }

    private static readonly Lock BuildGate = new();
    private static Task? _build;

    private static async Task BuildOnceAsync(string? command, ILogger log, CancellationToken ct)
    {
        try { FindCli(command); return; }
        catch (FileNotFoundException) when (string.IsNullOrWhiteSpace(command)) { }
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent?.Name is { Length: > 0 } c ? c : "Debug";
        string? project = null;
        for (var d = dir; d != null && project == null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Portal.sln")) && File.Exists(Path.Combine(d.FullName, CliName, CliName + ".csproj")))
                project = Path.Combine(d.FullName, CliName, CliName + ".csproj");
        if (project == null) return; // not a checkout: FindCli's message says what to set
        log.LogWarning("no worker executable yet: building {Project} ({Configuration}) once; jobs start when it is built", project, configuration);
        var psi = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "build", project, "-c", configuration, "-v", "q", "-nologo" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync(ct);
        _ = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) log.LogError("building the worker failed (exit {Code}): {Output}", p.ExitCode, (await output).Trim());
    }

    private static string DotnetHost()
    {
        var fromEnv = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        var self = System.Environment.ProcessPath;
        if (self != null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return self;
        return "dotnet";
    }
}
