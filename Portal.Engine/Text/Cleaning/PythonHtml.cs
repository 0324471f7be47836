using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Engine.Text.Cleaning;

/// <summary>
/// The two HTML-entity decoders open_clip's clean-up runs: Python's <c>html.unescape</c> (applied twice after ftfy)
/// and ftfy's stricter <c>unescape_html</c> (inside fix_text). Both read the HTML5 table (<see cref="Html5Entities"/>).
/// </summary>
public static partial class PythonHtml
{
    /// <summary>
    /// Python's html.unescape: numeric references with the HTML5 replacement rules, named references (with or without
    /// ';' as the table lists them), and for an unknown name the longest known prefix ("&amp;notit;" → "¬it;").
    /// </summary>
    public static string Unescape(string s)
    {
        if (!s.Contains('&')) return s;
        return CharRefRegex().Replace(s, m =>
        {
            var body = m.Groups[1].Value;
            if (body[0] == '#') return Numeric(body);
            if (Html5Entities.Table.TryGetValue(body, out var full)) return full;
            // The standard's longest-prefix rule; only legacy names (without ';') can match a prefix.
            for (int len = body.Length - 1; len > 1; len--)
                if (Html5Entities.Table.TryGetValue(body[..len], out var prefix)) return prefix + body[len..];
            return m.Value;
        });
    }

    /// <summary>
    /// ftfy's unescape_html: only complete entities ("&amp;name;" with 1–24 letters/digits) are replaced; named ones
    /// must be in the table with their ';', or be the all-upper-case spelling of a lower-case entity that html.unescape
    /// would leave alone ("&amp;NTILDE;" → "Ñ"); numeric ones are decoded unless html.unescape leaves them as written.
    /// </summary>
    public static string FtfyUnescape(string s)
    {
        if (!s.Contains('&')) return s;
        return FtfyEntityRegex().Replace(s, m =>
        {
            var entity = m.Value;
            if (FtfyEntities.Value.TryGetValue(entity, out var c)) return c;
            if (entity.StartsWith("&#", StringComparison.Ordinal))
            {
                var decoded = Unescape(entity);
                return decoded.Contains(';') ? entity : decoded;
            }
            return entity;
        });
    }

    private static readonly Lazy<Dictionary<string, string>> FtfyEntities = new(() =>
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Html5Entities.Table)
        {
            if (!name.EndsWith(';')) continue;
            d["&" + name] = value;
            if (name != name.ToLowerInvariant()) continue;
            var upper = "&" + name.ToUpperInvariant();
            if (Unescape(upper) == upper) d[upper] = PythonUpper(value);
        }
        return d;
    });

    // Python's str.upper() uses full case mapping; among these entity values only the ligatures, ß and ŉ map to more
    // than one character (checked against Python 3.11 over the whole table), the rest match .NET's simple mapping.
    private static string PythonUpper(string s) => s switch
    {
        "ß" => "SS", "ﬀ" => "FF", "ﬁ" => "FI", "ﬂ" => "FL", "ﬃ" => "FFI", "ﬄ" => "FFL", "ŉ" => "ʼN",
        _ => s.ToUpperInvariant(),
    };

    /// <summary>How many entities ftfy's table holds (for tests: Python 3.11 gives 2125 + 1376).</summary>
    public static int FtfyEntityCount => FtfyEntities.Value.Count;

    private static string Numeric(string body)
    {
        bool hex = body.Length > 1 && (body[1] == 'x' || body[1] == 'X');
        var digits = body[(hex ? 2 : 1)..].TrimEnd(';');
        // Python parses arbitrarily long numbers; anything past 8 digits is beyond U+10FFFF either way.
        if (!int.TryParse(digits.Length > 8 ? "99999999" : digits, hex ? NumberStyles.HexNumber : NumberStyles.None, CultureInfo.InvariantCulture, out var cp))
            cp = int.MaxValue;
        if (cp is >= 0x80 and <= 0x9F) return (Windows1252C1.TryGetValue(cp, out var w) ? w : (char)cp).ToString();
        if (cp == 0) return "\uFFFD";
        if (cp == 0x0D) return "\r";
        if (cp is >= 0xD800 and <= 0xDFFF || cp > 0x10FFFF) return "\uFFFD";
        if (IsInvalidCodepoint(cp)) return "";
        return char.ConvertFromUtf32(cp);
    }

    private static bool IsInvalidCodepoint(int cp) =>
        cp is >= 0x1 and <= 0x8 or 0xB or >= 0xE and <= 0x1F or >= 0x7F and <= 0x9F or >= 0xFDD0 and <= 0xFDEF
        || (cp & 0xFFFF) is 0xFFFE or 0xFFFF;

    /// <summary>Windows-1252's characters for 0x80–0x9F (0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined there).</summary>
    public static readonly IReadOnlyDictionary<int, char> Windows1252C1 = new Dictionary<int, char>
    {
        [0x80] = '€', [0x82] = '‚', [0x83] = 'ƒ', [0x84] = '„', [0x85] = '…', [0x86] = '†', [0x87] = '‡', [0x88] = 'ˆ', [0x89] = '‰',
        [0x8A] = 'Š', [0x8B] = '‹', [0x8C] = 'Œ', [0x8E] = 'Ž', [0x91] = '‘', [0x92] = '’', [0x93] = '“', [0x94] = '”', [0x95] = '•',
        [0x96] = '–', [0x97] = '—', [0x98] = '˜', [0x99] = '™', [0x9A] = 'š', [0x9B] = '›', [0x9C] = 'œ', [0x9E] = 'ž', [0x9F] = 'Ÿ',
    };

    [GeneratedRegex(@"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")] private static partial Regex CharRefRegex();
    [GeneratedRegex(@"&#?[0-9A-Za-z]{1,24};")] private static partial Regex FtfyEntityRegex();
}
