using System.Globalization;
using System.Text;

namespace Portal.Engine.Text.Cleaning;

/// <summary>
/// Undoes mojibake: UTF-8 text that was decoded with a single-byte charset ("schÃ¶n" for "schön", "â€”" for "—",
/// "Ð¿Ñ€Ð¸Ð²ÐµÑ‚" for "привет"), possibly several times over. This is the counterpart of ftfy's fix_encoding:
/// each line that looks bad is re-encoded in one of ftfy's charsets (Latin-1, sloppy Windows-1252/1251/1250/1253/
/// 1254/1257, ISO-8859-2) and re-decoded as strict UTF-8; when no charset fits the whole line, bad-looking
/// UTF-8-shaped runs are decoded in place. A repair is kept only when it leaves the line less bad (see
/// <see cref="Badness"/>), and it is applied again to peel further layers. Correct text has a badness of 0 and is
/// returned as it is. Byte-identical to the input for ASCII.
/// </summary>
public static class MojibakeRepair
{
    /// <summary>Repairs each line ('\n'-terminated segment, as ftfy's fix_text does) on its own.</summary>
    public static string Fix(string text)
    {
        if (IsAscii(text)) return text;
        if (!text.Contains('\n')) return FixSegment(text);
        var sb = new StringBuilder(text.Length);
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            sb.Append(FixSegment(text[start..end]));
            start = end;
        }
        return sb.ToString();
    }

    /// <summary>
    /// How much of the text looks like mojibake (0 = looks fine). Mojibake shows as runs of UTF-8-shaped sequences in
    /// some charset's view: a character whose byte there is a UTF-8 lead byte, followed by the right number of characters
    /// whose bytes are continuation bytes. A run counts with its length in characters when one of its sequences is one
    /// that real text would rarely contain (see <see cref="IsSuspicious"/>); so does "Ã"/"Â" followed by a space where
    /// "à" or a no-break space lost its byte 0xA0 (2 each). The count is taken in the charset that shows the most.
    /// Each layer of mojibake multiplies the characters involved, so peeling one layer usually lowers the count.
    /// </summary>
    public static int Badness(string text)
    {
        if (!HasLeadCharacter(text)) return 0;
        int worst = 0;
        foreach (var cs in SingleByteCharset.All)
        {
            int n = 0;
            for (int i = 0; i < text.Length;)
            {
                int end = RunEnd(text, i, cs, out bool suspicious);
                if (end == i) { i++; continue; }
                if (suspicious) n += end - i;
                i = end;
            }
            worst = Math.Max(worst, n);
        }
        return worst + 2 * LostA0Count(text);
    }

    // End of the maximal run of adjacent UTF-8-shaped sequences starting at i in the charset's view (i when none).
    private static int RunEnd(string text, int i, SingleByteCharset cs, out bool suspicious)
    {
        suspicious = false;
        int end = i, len;
        while ((len = SequenceLength(text, end, cs)) > 0) end += len;
        for (int k = i; k < end && !suspicious; k += len)
        {
            len = SequenceLength(text, k, cs);
            suspicious = IsSuspicious(text, k, len, i, end);
        }
        return end;
    }

    // Candidate repairs explored per line: a real line needs one per layer of mojibake; the cap only bounds odd input.
    private const int AttemptsPerLine = 32;

    private static string FixSegment(string text)
    {
        int budget = AttemptsPerLine;
        return Repair(text, ref budget);
    }

    /// <summary>
    /// A candidate (see <see cref="Candidates"/>) replaces the text when, once repaired further itself, it is less bad.
    /// Judging the finished repair rather than the single step matters when an inner layer hides a defect that only
    /// the next layer shows ("65Р’В\u00A0536" looks clean; one layer down, "65В\u00A0536" does not).
    /// </summary>
    private static string Repair(string text, ref int budget)
    {
        int bad = Badness(text);
        if (bad == 0) return text;
        foreach (var candidate in Candidates(text))
        {
            if (budget-- <= 0) break;
            var repaired = Repair(candidate, ref budget);
            if (Badness(repaired) < bad) return repaired;
        }
        return text;
    }

    // Whole-line re-decodings in ftfy's charset order (every character must exist in the charset and the bytes must be
    // strict UTF-8, if need be after restoring lost 0xA0 bytes), then the in-place repair of mojibake runs. Each one is
    // shorter than the text, since decoding merges every multi-byte sequence into one character.
    private static IEnumerable<string> Candidates(string text)
    {
        foreach (var cs in SingleByteCharset.All)
        {
            if (!cs.TryEncode(text, out var bytes)) continue;
            var decoded = TryUtf8(bytes) ?? TryUtf8(RestoreByteA0(bytes));
            if (decoded is not null) yield return decoded;
        }
        var inPlace = RepairRuns(text);
        if (inPlace is not null) yield return inPlace;
    }

    // ftfy's decode_inconsistent_utf8: each maximal run of adjacent UTF-8-shaped sequences (in the charset that gives the
    // longest run there, earlier charsets first on ties) that contains a suspicious one is decoded in place; the rest of
    // the line stays as it is.
    private static string? RepairRuns(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool changed = false;
        for (int i = 0; i < text.Length;)
        {
            int end = i;
            bool suspicious = false;
            SingleByteCharset? view = null;
            foreach (var cs in SingleByteCharset.All)
            {
                int e = RunEnd(text, i, cs, out bool s);
                if (e > end) (end, view, suspicious) = (e, cs, s);
            }
            if (view is null) { sb.Append(text[i++]); continue; }
            // A continuation-like junk character right before the run means the run is the tail of a bigger garble
            // whose start did not survive: decoding only the tail would not make it better.
            bool tailOfGarble = i > 0 && view.IsContinuation(text[i - 1]) && Classify(text[i - 1]) == ContinuationKind.Junk;
            string? decoded = suspicious && !tailOfGarble && view.TryEncode(text.AsSpan(i, end - i), out var bytes) ? TryUtf8(bytes) : null;
            sb.Append(decoded ?? text[i..end]);
            changed |= decoded is not null;
            i = end;
        }
        return changed ? sb.ToString() : null;
    }

    /// <summary>Length of the UTF-8-shaped sequence starting at <paramref name="i"/> in the charset's view, or 0.</summary>
    private static int SequenceLength(string text, int i, SingleByteCharset cs)
    {
        if (i >= text.Length || text[i] < 0x80 || !cs.TryGetByte(text[i], out var lead) || lead < 0xC2 || lead > 0xF4) return 0;
        int conts = lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
        if (i + conts >= text.Length) return 0;
        for (int k = 1; k <= conts; k++)
            if (!cs.TryGetByte(text[i + k], out var b) || b is < 0x80 or > 0xBF) return 0;
        cs.TryGetByte(text[i + 1], out var second);
        // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        bool valid = lead switch { 0xE0 => second >= 0xA0, 0xED => second <= 0x9F, 0xF0 => second >= 0x90, 0xF4 => second <= 0x8F, _ => true };
        return valid ? conts + 1 : 0;
    }

    /// <summary>
    /// Whether a UTF-8-shaped sequence is unlikely as real text. Real text does put a letter before a continuation
    /// character now and then ("ÉTÉ…", "“CAFÉ”", "JOSÉ’S", "Сёмга", "Річка"), so only these count:
    /// a continuation that is a symbol, currency, opening mark, C1 control or accent that does not follow letters
    /// ("Ã©", "â€", "Ã¤", "ê°"); a closing mark (… ” “ ‘ » › ™ ® ©) glued to a following letter or digit ("Ã³n"),
    /// or a no-break space between Å, Î, Ð or Ù and a letter ("Å" + U+00A0 + "ablony"; Cyrillic and other Latin
    /// capitals do stand before a no-break space in real text: "В" + U+00A0 + "ОС", "É" + U+00A0 + "um"); anything but a closing mark at the end of a word
    /// after Ã, Â or Ă, the lead characters of almost all Western mojibake ("Ã–", "Ãœ"); a lower-case letter followed
    /// by an upper-case one inside or just before the sequence ("siÄ™", "вЂ", "РґРѕРј"), or two capitals starting a
    /// lower-case word ("ÄŒte"), or a capital Latin letter before š ž œ ś ť ź ł ą ż ľ ("Åšredni", "Ĺźablonu"; not ş: Romanian "Îşi"); a Cyrillic or Greek sequence
    /// among Latin words ("Гњber", "mettre Г" + U+00A0 + " jour").
    /// </summary>
    private static bool IsSuspicious(string text, int i, int len, int runStart, int runEnd)
    {
        char lead = text[i];
        bool westernLead = lead is 'Ã' or 'Â' or 'Ă';
        char before = i > 0 ? text[i - 1] : ' ';
        if (char.IsLower(before) && char.IsUpper(lead)) return true;
        for (int k = 1; k < len; k++)
        {
            char c = text[i + k], prev = text[i + k - 1], next = i + k + 1 < text.Length ? text[i + k + 1] : ' ';
            if (char.IsLower(prev) && char.IsUpper(c)) return true;
            if (char.IsUpper(prev) && char.IsUpper(c) && char.IsLower(next)) return true;
            if (char.IsUpper(prev) && IsLatin(prev) && c is ('š' or 'ž' or 'œ' or 'ś' or 'ť' or 'ź' or 'ł' or 'ą' or 'ż' or 'ľ')) return true;
            var kind = Classify(c);
            if (kind == ContinuationKind.Junk) return true;
            if (kind == ContinuationKind.Closer && char.IsLetterOrDigit(next)) return true;
            if (c == '\u00A0' && lead is ('Å' or 'Î' or 'Ð' or 'Ù') && char.IsLetter(next)) return true;
            if (westernLead && (c is not ('…' or '”' or '“' or '’' or '‘' or '»' or '›') || char.IsLetterOrDigit(next))) return true;
        }
        return HasCyrillicOrGreek(text.AsSpan(i, len)) && AmongLatinWords(text, i, len, runStart, runEnd);
    }

    private static bool IsLatin(char c) => c is >= '\u00C0' and <= '\u024F';

    private static bool HasCyrillicOrGreek(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (c is >= '\u0370' and <= '\u04FF') return true;
        return false;
    }

    // The word the sequence's letters belong to (letters and soft hyphens; a sequence ending in a no-break space or a
    // symbol ends its word there) holds ASCII letters ("ДЊГ­slo"), or those letters are the whole word and the nearest
    // letters on both sides (where there are any) are ASCII ("mettre Г" + U+00A0 + " jour"). A real Cyrillic or Greek
    // word in Latin text ("Річка means river", "ПАКЕТ" + U+00A0 + "SDK") has letters beyond the sequence and passes.
    private static bool AmongLatinWords(string text, int i, int len, int runStart, int runEnd)
    {
        int wordEnd = i + 1;
        while (wordEnd < i + len && IsWordChar(text[wordEnd])) wordEnd++;
        int b = i - 1, a = wordEnd;
        while (b >= 0 && IsWordChar(text[b])) { if (char.IsAsciiLetter(text[b])) return true; b--; }
        if (wordEnd == i + len)
            while (a < text.Length && IsWordChar(text[a])) { if (char.IsAsciiLetter(text[a])) return true; a++; }
        if (b != i - 1 || a != wordEnd) return false;
        // Past the rest of the run: its other sequences are mojibake too ("{0}Р’В" + U+00A0 + "ms").
        b = Math.Min(b, runStart - 1);
        a = Math.Max(a, runEnd);
        while (b >= 0 && !char.IsLetter(text[b])) b--;
        while (a < text.Length && !char.IsLetter(text[a])) a++;
        bool hasBefore = b >= 0, hasAfter = a < text.Length;
        return (hasBefore || hasAfter) && (!hasBefore || char.IsAsciiLetter(text[b])) && (!hasAfter || char.IsAsciiLetter(text[a]));
        static bool IsWordChar(char c) => char.IsLetter(c) || c == '\u00AD';
    }

    private enum ContinuationKind { Letter, Closer, Filler, Junk }

    // How a character that a charset maps to a continuation byte (0x80–0xBF) behaves in real text.
    private static ContinuationKind Classify(char c) => c switch
    {
        'ƒ' or 'µ' or 'ª' or 'º' => ContinuationKind.Junk,   // letters by category; after a letter, only in mojibake
        // “ and ‘ close quotations in German, Czech and other languages („so“, ‚so‘).
        '…' or '”' or '“' or '‘' or '»' or '›' or '™' or '®' or '©' => ContinuationKind.Closer,
        '–' or '—' or '\u00A0' or '\u00AD' or '’' => ContinuationKind.Filler,   // fine between or after words
        _ when char.IsLetter(c) && char.GetUnicodeCategory(c) != UnicodeCategory.ModifierLetter => ContinuationKind.Letter,
        _ => ContinuationKind.Junk,
    };

    // "Ã"/"Â" + space after a lower-case letter or digit (or "Ã " opening the line): "voilÃ la", "10Â km", "Ã la carte".
    private static int LostA0Count(string text)
    {
        int n = 0;
        for (int i = 0; i + 1 < text.Length; i++)
        {
            char c = text[i];
            if (c is not ('Ã' or 'Â') || text[i + 1] != ' ') continue;
            char p1 = i > 0 ? text[i - 1] : '\0', p2 = i > 1 ? text[i - 2] : '\0';
            if (IsLowerOrDigit(p1) || (c == 'Ã' && (i == 0 || (p1 == ' ' && IsLowerOrDigit(p2))))) n++;
        }
        return n;
        static bool IsLowerOrDigit(char ch) => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch);
    }

    /// <summary>
    /// ftfy's restore_byte_a0: some software turned byte 0xA0 into a space before the text was mis-decoded, which breaks
    /// the UTF-8 sequences that held it. Put 0xA0 back after lead bytes whose 0xA0 forms a likely character (NBSP, à, Š,
    /// Π, Р, ٠) and inside the 3- and 4-byte shapes ftfy accepts. "Ã " standing alone is the word "à", so it becomes
    /// "à " (keeping the space) unless it starts Portuguese "às", "àquele", "àquela", "àquilo".
    /// </summary>
    private static byte[] RestoreByteA0(byte[] b)
    {
        var o = new List<byte>(b.Length + 4);
        for (int i = 0; i < b.Length; i++)
        {
            o.Add(b[i]);
            if (b[i] == 0xC3 && At(b, i + 1) == 0x20 && At(b, i + 2) != 0x20 && !StartsPortugueseContraction(b, i + 2))
            {
                o.Add(0xA0);     // the space after it stays: "Ã la" → "à la"
                continue;
            }
            if (b[i] is 0xC2 or 0xC3 or 0xC5 or 0xCE or 0xD0 or 0xD9 && At(b, i + 1) == 0x20) { o.Add(0xA0); i++; continue; }
            if (b[i] is >= 0xE0 and <= 0xE3 && i + 2 < b.Length)
            {
                if (b[i] >= 0xE2 && b[i + 1] == 0x20 && IsCont(b[i + 2])) { o.Add(0xA0); o.Add(b[i + 2]); i += 2; continue; }
                if (IsCont(b[i + 1]) && b[i + 2] == 0x20) { o.Add(b[i + 1]); o.Add(0xA0); i += 2; continue; }
            }
            if (b[i] == 0xF0 && i + 3 < b.Length)
            {
                var seq = new[] { b[i + 1], b[i + 2], b[i + 3] };
                int spaces = seq.Count(x => x == 0x20);
                if (spaces == 1 && seq.All(x => x == 0x20 || x is >= 0x80 and <= 0xBF))
                {
                    foreach (var x in seq) o.Add(x == 0x20 ? (byte)0xA0 : x);
                    i += 3;
                }
            }
        }
        return o.ToArray();

        static int At(byte[] b, int i) => i < b.Length ? b[i] : -1;
        // Continuation bytes that make a likely character next to 0xA0 (not 0x85 "…" nor 0xA0 itself).
        static bool IsCont(byte x) => x is >= 0x80 and <= 0xBF and not 0x85 and not 0xA0;
        static bool StartsPortugueseContraction(byte[] b, int i)
        {
            foreach (var w in PortugueseA)
                if (i + w.Length <= b.Length && b.AsSpan(i, w.Length).SequenceEqual(w)) return true;
            return false;
        }
    }

    private static readonly byte[][] PortugueseA = [.. new[] { "quele", "quela", "quilo", "s " }.Select(Encoding.ASCII.GetBytes)];

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static string? TryUtf8(byte[] bytes)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
    }

    private static bool IsAscii(string s) => System.Text.Ascii.IsValid(s);

    private static bool HasLeadCharacter(string s)
    {
        if (IsAscii(s)) return false;
        foreach (var c in s)
            if (c < SingleByteCharset.LeadSomewhere.Length && SingleByteCharset.LeadSomewhere[c]) return true;
        return false;
    }

    /// <summary>
    /// A single-byte charset as ftfy's "sloppy" codecs see it: bytes 0x00–0x7F are ASCII, and a byte the charset leaves
    /// undefined stands for the code point of the same value (so every byte decodes, as in browsers).
    /// </summary>
    private sealed class SingleByteCharset
    {
        // ftfy's order of trial (its MacRoman and CP437 are left out: their letters sit on continuation bytes, so real
        // French or German text would look like mojibake to this heuristic).
        public static readonly SingleByteCharset[] All =
            [new("latin-1", 28591), new("sloppy-windows-1252", 1252), new("sloppy-windows-1251", 1251), new("sloppy-windows-1250", 1250),
             new("sloppy-windows-1253", 1253), new("sloppy-windows-1254", 1254), new("sloppy-windows-1257", 1257), new("iso-8859-2", 28592)];

        // Every character of these charsets lies below U+2200 (the highest is ™, U+2122).
        private const int TableSize = 0x2200;

        /// <summary>Characters that stand for a UTF-8 lead byte (0xC2–0xF4) in at least one charset.</summary>
        public static readonly bool[] LeadSomewhere = BuildLeadTable();

        public string Name { get; }
        private readonly byte[] _bytes = new byte[TableSize];   // 0: not in the charset (bytes below 0x80 are ASCII)
        private readonly Dictionary<char, byte> _privateUse = [];

        private SingleByteCharset(string name, int codePage)
        {
            Name = name;
            var enc = codePage == 28591
                ? Encoding.Latin1
                : CodePagesEncodingProvider.Instance.GetEncoding(codePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)
                  ?? throw new InvalidOperationException($"code page {codePage} ({name}) is not available");
            for (int b = 0x80; b <= 0xFF; b++)
            {
                char c;
                try
                {
                    var s = enc.GetString([(byte)b]);
                    c = s.Length == 1 && s[0] != '\uFFFD' ? s[0] : (char)b;
                }
                catch (DecoderFallbackException) { c = (char)b; }
                // .NET fills a few holes (1253's 0xAA, 0xD2, 0xFF; 1257's 0xA1, 0xA5) with private-use characters, as
                // Windows does; ftfy's sloppy codecs use the same-valued Latin-1 character. Both read back as the byte.
                if (char.IsBetween(c, '\uE000', '\uF8FF'))
                {
                    _privateUse[c] = (byte)b;
                    c = (char)b;
                }
                if (c >= TableSize) throw new InvalidOperationException($"{name} maps byte {b:X2} to U+{(int)c:X4}, beyond the table");
                if (_bytes[c] == 0) _bytes[c] = (byte)b;
            }
        }

        private static bool[] BuildLeadTable()
        {
            var t = new bool[TableSize];
            foreach (var cs in All)
                for (int c = 0x80; c < TableSize; c++)
                    t[c] |= cs._bytes[c] is >= 0xC2 and <= 0xF4;
            return t;
        }

        public bool TryGetByte(char c, out byte b)
        {
            b = c < 0x80 ? (byte)c : c < TableSize ? _bytes[c] : _privateUse.GetValueOrDefault(c);
            return c < 0x80 || b != 0;
        }

        public bool IsContinuation(char c) => TryGetByte(c, out var b) && b is >= 0x80 and <= 0xBF;

        public bool TryEncode(ReadOnlySpan<char> text, out byte[] bytes)
        {
            bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
                if (!TryGetByte(text[i], out bytes[i])) return false;
            return true;
        }

        public bool TryEncode(string text, out byte[] bytes) => TryEncode(text.AsSpan(), out bytes);

        public override string ToString() => Name;
    }
}
