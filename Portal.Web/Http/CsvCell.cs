using System.Globalization;

namespace Portal.Web.Http;

/// <summary>One cell of a CSV export: quoted when it holds a separator, and defused when a spreadsheet would run it as a
/// formula (text that starts with = + - @, tab or CR gets a leading apostrophe; the portal's own numbers stay numbers).</summary>
public static class CsvCell
{
    public static string Escape(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        if (s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            s = "'" + s;
        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
