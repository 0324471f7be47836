using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Engine.Text.Cleaning;

/// <summary>
/// open_clip's `clean='lower'` step: ftfy.fix_text → html.unescape twice → strip and collapse whitespace → Python
/// str.lower(). Of ftfy 6.3.1's default fixes this implements HTML-entity unescaping (only when the text has no '&lt;'),
/// mojibake repair (ftfy's fix_encoding, line by line, see <see cref="MojibakeRepair"/>), terminal-escape removal,
/// C1 controls read as Windows-1252, Latin ligatures, full-width characters, curly quotes, line breaks,
/// control-character removal and NFC, in ftfy's order except that ftfy removes terminal escapes after the line breaks.
/// ftfy repeats the whole sequence until the text stops changing; this runs it once. Both HTML steps use Python's
/// HTML5 entity table (<see cref="PythonHtml"/>).
/// </summary>
public static partial class ClipTextCleaner
{
    public static string Clean(string text)
    {
        var t = FixText(text);
        t = PythonHtml.Unescape(PythonHtml.Unescape(t));
        t = CollapseWhitespace(t);
        return PythonLower(t);
    }

    /// <summary>The subset of ftfy.fix_text described above, in ftfy's order.</summary>
    public static string FixText(string text)
    {
        var t = text;
        if (!t.Contains('<')) t = PythonHtml.FtfyUnescape(t);
        t = MojibakeRepair.Fix(t);
        t = TerminalEscapeRegex().Replace(t, "");
        t = FixC1Controls(t);
        t = Map(t, LatinLigature);
        t = FixCharacterWidth(t);
        t = UncurlQuotes(t);
        t = t.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');
        t = RemoveControlChars(t);
        return t.Normalize(NormalizationForm.FormC);
    }

    /// <summary>Python str.split() then ' '.join: strips and collapses every run of Unicode whitespace to one space.</summary>
    public static string CollapseWhitespace(string s) =>
        string.Join(' ', s.Split(s.Where(IsPythonSpace).Distinct().ToArray(), StringSplitOptions.RemoveEmptyEntries));

    public static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    /// <summary>
    /// Python's str.lower(): simple lower-case mapping plus its two special cases, U+0130 → "i̇" and the final sigma
    /// (Σ → ς at the end of a word). Cased letters are approximated by letters.
    /// </summary>
    public static string PythonLower(string s)
    {
        var sb = new StringBuilder(s.Length);
        var runes = s.EnumerateRunes().ToArray();
        for (int i = 0; i < runes.Length; i++)
        {
            var r = runes[i];
            if (r.Value == 0x130) { sb.Append("i\u0307"); continue; }
            if (r.Value == 0x3A3 && FinalSigma(runes, i)) { sb.Append('ς'); continue; }
            sb.Append(Rune.ToLowerInvariant(r).ToString());
        }
        return sb.ToString();
    }

    private static bool FinalSigma(Rune[] runes, int i)
    {
        int b = i - 1;
        while (b >= 0 && IsCaseIgnorable(runes[b])) b--;
        if (b < 0 || !Rune.IsLetter(runes[b])) return false;
        int a = i + 1;
        while (a < runes.Length && IsCaseIgnorable(runes[a])) a++;
        return a >= runes.Length || !Rune.IsLetter(runes[a]);
    }

    private static bool IsCaseIgnorable(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
        or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol || r.Value is '\'' or '.' or ':' or 0xB7 or 0x2019;

    private static string FixC1Controls(string s)
    {
        if (!s.Any(c => c is >= '\u0080' and <= '\u009F')) return s;
        var sb = new StringBuilder(s.Length);
        // "Sloppy" Windows-1252: the five bytes it leaves undefined keep their Latin-1 meaning.
        foreach (var c in s) sb.Append(c is >= '\u0080' and <= '\u009F' && PythonHtml.Windows1252C1.TryGetValue(c, out var w) ? w : c);
        return sb.ToString();
    }

    private static string FixCharacterWidth(string s)
    {
        if (!s.Any(c => c == '\u3000' || c is >= '\uFF01' and < '\uFFF0')) return s;
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            sb.Append(c == '\u3000' || c is >= '\uFF01' and < '\uFFF0' ? c.ToString().Normalize(NormalizationForm.FormKC) : c.ToString());
        return sb.ToString();
    }

    private static string UncurlQuotes(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            sb.Append(c is '\u02BC' or >= '\u2018' and <= '\u201B' ? '\'' : c is >= '\u201C' and <= '\u201F' ? '"' : c);
        return sb.ToString();
    }

    private static string RemoveControlChars(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            bool drop = c is <= '\u0008' or '\u000B' or >= '\u000E' and <= '\u001F' or '\u007F'
                or >= '\u206A' and <= '\u206F' or '\uFEFF' or >= '\uFFF9' and <= '\uFFFC';
            if (!drop) sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Map(string s, IReadOnlyDictionary<char, string> table)
    {
        if (!s.Any(table.ContainsKey)) return s;
        var sb = new StringBuilder(s.Length);
        foreach (var c in s) sb.Append(table.TryGetValue(c, out var r) ? r : c.ToString());
        return sb.ToString();
    }

    private static readonly Dictionary<char, string> LatinLigature = new()
    {
        ['Ĳ'] = "IJ", ['ĳ'] = "ij", ['ŉ'] = "ʼn", ['Ǳ'] = "DZ", ['ǲ'] = "Dz", ['ǳ'] = "dz", ['Ǆ'] = "DŽ", ['ǅ'] = "Dž", ['ǆ'] = "dž",
        ['Ǉ'] = "LJ", ['ǈ'] = "Lj", ['ǉ'] = "lj", ['Ǌ'] = "NJ", ['ǋ'] = "Nj", ['ǌ'] = "nj",
        ['ﬀ'] = "ff", ['ﬁ'] = "fi", ['ﬂ'] = "fl", ['ﬃ'] = "ffi", ['ﬄ'] = "ffl", ['ﬅ'] = "ſt", ['ﬆ'] = "st",
    };

    [GeneratedRegex("\u001b\\[((?:\\d|;)*)([a-zA-Z])")] private static partial Regex TerminalEscapeRegex();
}
