using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Web.Api;

/// <summary>
/// The query-string filters of a list endpoint, read strictly: the documented snake_case names (camelCase accepted as an
/// alias), an unknown name or a malformed value answers 400 instead of silently returning every row.
/// </summary>
public sealed partial class ListFilters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private ListFilters() { }

    public static ListFilters Read(HttpRequest request, params string[] names)
    {
        var f = new ListFilters();
        foreach (var (key, value) in request.Query)
        {
            var name = Snake(key);
            if (!names.Contains(name))
                throw new ArgumentException($"unknown filter '{key}' (this list takes: {string.Join(", ", names)})");
            if (value.Count != 1 || string.IsNullOrWhiteSpace(value[0]))
                throw new ArgumentException($"filter '{name}' needs exactly one value");
            f._values[name] = value[0]!;
        }
        return f;
    }

    public string? String(string name) => _values.GetValueOrDefault(name);

    public int? Int(string name) => _values.TryGetValue(name, out var v)
        ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : throw new ArgumentException($"filter '{name}' must be a whole number (got '{v}')")
        : null;

    public TEnum? Enum<TEnum>(string name) where TEnum : struct, System.Enum => QueryValues.Enum<TEnum>(String(name), name);

    private static string Snake(string key) => Upper().Replace(key, m => "_" + m.Value.ToLowerInvariant()).ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])[A-Z]")]
    private static partial Regex Upper();
}
