using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Portal.Tests.Deploy;

/// <summary>
/// A deploy/systemd unit read the way systemd reads it — EnvironmentFile lines, Environment=, WorkingDirectory and
/// ExecStart with %i / %H and ${VAR} expanded — so a test starts exactly the command an operator's machine runs, with the
/// install folder mapped to this build's output.
/// </summary>
public sealed partial class SystemdUnit
{
    private readonly List<(string Key, string Value)> _lines = [];

    public SystemdUnit(string path)
    {
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith('[')) continue;
            var eq = line.IndexOf('=');
            if (eq > 0) _lines.Add((line[..eq], line[(eq + 1)..]));
        }
    }

    public static string Repo(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("no Portal.sln above the test binaries"), .. parts]);
    }

    public IEnumerable<string> Values(string key) => _lines.Where(l => l.Key == key).Select(l => l.Value);

    /// <summary>
    /// The process systemd would start for instance <paramref name="instance"/>: environment files are read from
    /// <paramref name="files"/> (their /etc/portal/... paths mapped by name), <paramref name="install"/> maps install
    /// paths (e.g. /opt/portal/cli → the build output).
    /// </summary>
    public ProcessStartInfo Start(string instance, IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string> install)
    {
        string Spec(string s) => s.Replace("%i", instance).Replace("%H", Environment.MachineName);
        var env = new Dictionary<string, string>();
        foreach (var f in Values("EnvironmentFile").Select(Spec))
            foreach (var line in File.ReadLines(files[f]))
                if (line.Trim() is { Length: > 0 } l && !l.StartsWith('#') && l.IndexOf('=') is > 0 and var i) env[l[..i]] = l[(i + 1)..];
        foreach (var e in Values("Environment").Select(Spec))
            if (e.IndexOf('=') is > 0 and var i) env[e[..i]] = e[(i + 1)..];
        string Map(string s) => install.Aggregate(s, (acc, kv) => acc.Replace(kv.Key, kv.Value));
        var exec = Var().Replace(Spec(Values("ExecStart").Single()), m => env.GetValueOrDefault(m.Groups[1].Value, ""));
        var argv = exec.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Map).ToList();
        // An installed Portal.Cli is an apphost; the build output here is run through dotnet.
        var psi = argv[0].EndsWith(".dll", StringComparison.Ordinal) || !File.Exists(argv[0]) && File.Exists(argv[0] + ".dll")
            ? new ProcessStartInfo("dotnet") { ArgumentList = { argv[0].EndsWith(".dll", StringComparison.Ordinal) ? argv[0] : argv[0] + ".dll" } }
            : new ProcessStartInfo(argv[0]);
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.WorkingDirectory = Map(Spec(Values("WorkingDirectory").Single()));
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        return psi;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Var();
}
