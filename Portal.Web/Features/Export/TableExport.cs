using System.Globalization;
using System.Text;

namespace Portal.Web.Features.Export;

/// <summary>
/// CSV/JSON of any table given as named columns and rows of values (in the order shown). Numbers are written with full
/// precision (round-trip), fractions stay fractions; the pages show them as percentages.
/// </summary>
public static class TableExport
{
    /// <summary>"leaderboard-{slug}.{ext}" from a title; the key when the title has no letters or digits.</summary>
    public static string FileName(string prefix, string title, string fallback, string extension)
    {
        var slug = new string(title.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        while (slug.Contains("--")) slug = slug.Replace("--", "-");
        return $"{prefix}-{(slug.Length == 0 ? fallback : slug)}.{extension}";
    }

    public static string Csv(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', columns.Select(Http.CsvCell.Escape)));
        foreach (var r in rows) sb.AppendLine(string.Join(',', r.Select(v => Http.CsvCell.Escape(Text(v)))));
        return sb.ToString();
    }

    /// <summary>One object per row, keyed by column name (nulls kept, so every row has every key).</summary>
    public static List<Dictionary<string, object?>> Objects(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows) =>
        rows.Select(r => columns.Select((c, i) => (c, v: i < r.Count ? r[i] : null)).ToDictionary(x => x.c, x => x.v)).ToList();

    public static string Text(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
