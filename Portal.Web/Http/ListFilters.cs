using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Web.Http;

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

    /// <summary>
    /// The page a list answers: <c>limit</c> (1..max, default given) and <c>offset</c> (0 or more), read only when the
    /// list was read with <see cref="PagingNames"/>; a bad value is a 400 naming the range.
    /// </summary>
    public (int Offset, int Limit) Page(int defaultLimit, int maxLimit)
    {
        var limit = Int("limit") ?? defaultLimit;
        if (limit < 1 || limit > maxLimit) throw new ArgumentException($"filter 'limit' must be between 1 and {maxLimit} (got {limit})");
        var offset = Int("offset") ?? 0;
        return (offset, limit);
    }

    /// <summary>The paging parameters every paged list takes besides its own filters.</summary>
    public static readonly string[] PagingNames = ["limit", "offset"];

    /// <summary>Tells a client how many rows the filters match and where the next page is (X-Total-Count, Link rel="next").</summary>
    public static void PageHeaders(HttpResponse response, int total, int offset, int limit)
    {
        response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        if (offset + limit >= total) return;
        var q = response.HttpContext.Request.Query.Where(kv => Snake(kv.Key) != "offset").ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString());
        q["offset"] = (offset + limit).ToString(CultureInfo.InvariantCulture);
        response.Headers.Link = $"<{Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(response.HttpContext.Request.Path, q)}>; rel=\"next\"";
    }

    public TEnum? Enum<TEnum>(string name) where TEnum : struct, System.Enum => QueryValues.Enum<TEnum>(String(name), name);

    private static string Snake(string key) => Upper().Replace(key, m => "_" + m.Value.ToLowerInvariant()).ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])[A-Z]")]
    private static partial Regex Upper();
}
