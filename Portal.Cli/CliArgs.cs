using System.Globalization;

namespace Portal.Cli;

/// <summary>Parsed `--name value` options, `--flag` switches and positionals. Unknown options are an error.</summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);
    public List<string> Positionals { get; } = [];

    public CliArgs(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var name = a[2..];
                string? value = null;
                var eq = name.IndexOf('=');
                if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
                else if (!flags.Contains(name))
                {
                    if (i + 1 >= list.Count) throw new CliException($"option --{name} needs a value");
                    value = list[++i];
                }
                _options[name] = value;
                if (value is not null) (_repeated.TryGetValue(name, out var l) ? l : _repeated[name] = []).Add(value);
            }
            else Positionals.Add(a);
        }
    }

    public bool Flag(string name) { _used.Add(name); return _options.ContainsKey(name); }

    public string? Get(string name) { _used.Add(name); return _options.TryGetValue(name, out var v) ? v : null; }

    /// <summary>Every value of an option that may be repeated (`--prompt a --prompt b`), in order; Get returns the last.</summary>
    public IReadOnlyList<string> All(string name) { _used.Add(name); return _repeated.TryGetValue(name, out var l) ? l : []; }

    public string Required(string name) => Get(name) ?? throw new CliException($"missing required option --{name}");

    public int Int(string name, int fallback)
    {
        var v = Get(name);
        if (v == null) return fallback;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw new CliException($"--{name} expects an integer, got '{v}'");
    }

    public double Double(string name, double fallback)
    {
        var v = Get(name);
        return v == null ? fallback : ParseNumber(v, name);
    }

    /// <summary>Accepts a decimal or a fraction such as 4/255.</summary>
    public static double ParseNumber(string v, string name)
    {
        var slash = v.IndexOf('/');
        if (slash > 0
            && double.TryParse(v[..slash], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(v[(slash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var den) && den != 0)
            return num / den;
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new CliException($"--{name} expects a number or a fraction like 4/255, got '{v}'");
    }

    /// <summary>Call after reading every option a command knows: anything left is a typo the user should hear about.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new CliException("unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
    }
}

/// <summary>A user error: printed as one line, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
