using System.Globalization;
using System.Text;

namespace Portal.Engine.Text;

/// <summary>
/// open_clip's pre-tokenisation regex, evaluated by hand over code points (so letters outside the BMP stay letters):
/// at each position the first alternative that matches wins —
/// `&lt;start_of_text&gt;|&lt;end_of_text&gt;|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+` (case-insensitive);
/// whitespace between matches is skipped. Combining marks (\p{M}) are not letters, so they fall in the last class.
/// </summary>
public static class ClipPreTokenizer
{
    private static readonly string[] Specials = [BpeVocabulary.OpenClipStart, BpeVocabulary.OpenClipEnd];
    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    public static List<string> Split(string text)
    {
        var result = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            var r = Rune.GetRuneAt(text, i);
            if (IsSpace(r)) { i += r.Utf16SequenceLength; continue; }
            var literal = Specials.Concat(Contractions).FirstOrDefault(p => string.Compare(text, i, p, 0, p.Length, StringComparison.OrdinalIgnoreCase) == 0 && i + p.Length <= text.Length);
            if (literal is not null) { result.Add(text.Substring(i, literal.Length)); i += literal.Length; continue; }
            int start = i;
            if (IsLetter(r))
                i = Run(text, i, IsLetter);
            else if (IsNumber(r))
                i += r.Utf16SequenceLength;
            else
                i = Run(text, i, x => !IsSpace(x) && !IsLetter(x) && !IsNumber(x));
            result.Add(text[start..i]);
        }
        return result;
    }

    private static int Run(string text, int i, Func<Rune, bool> inClass)
    {
        while (i < text.Length)
        {
            var r = Rune.GetRuneAt(text, i);
            if (!inClass(r)) break;
            i += r.Utf16SequenceLength;
        }
        return i;
    }

    public static bool IsLetter(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;

    public static bool IsNumber(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    // The regex module's \s: the Unicode White_Space property.
    private static bool IsSpace(Rune r) => r.Value is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680 or (>= 0x2000 and <= 0x200A)
        or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;
}
