using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Data.Reported;

/// <summary>One data row of a reported-results CSV, as read (the value both as printed and parsed).</summary>
public sealed record ReportedCsvRow(int Row, int Line, string Table, string Method, string Encoder, string Training, string Benchmark, string Split,
    string Metric, string Threat, string Eps, string ValueText, double? Value, string Reference, string Note);

/// <summary>Bad input, with the 1-based line of the file (the header is line 1) and the column when one is to blame.</summary>
public sealed class ReportedCsvException(string source, int line, string? column, string message)
    : Exception($"{source} line {line}{(column is null ? "" : $", column {column}")}: {message}")
{
    public string File { get; } = source;
    public int Line { get; } = line;
    public string? Column { get; } = column;
}

/// <summary>
/// Reads the long format the portal ships its reported results in (one row per printed number):
/// <c>table,method,encoder,training,benchmark,split,metric,threat,eps,value,reference,note</c>. RFC 4180 quoting (fields
/// with commas or doubled quotes); one record per line. Strict: the header must be exactly this, every row must have
/// 12 fields, threat is clean/linf/l2 with ε only when attacked, value is a plain decimal or "-" (which needs a note).
/// Bounded: file size, line length, field length and row count are capped, so a hostile file fails fast.
/// </summary>
public static partial class ReportedCsv
{
    public static readonly string[] Columns = ["table", "method", "encoder", "training", "benchmark", "split", "metric", "threat", "eps", "value", "reference", "note"];
    public const long MaxFileBytes = 8 * 1024 * 1024;
    public const int MaxLineLength = 8 * 1024, MaxFieldLength = 2000, MaxRows = 100_000;
    public static readonly string[] Threats = ["clean", "linf", "l2"];

    [GeneratedRegex(@"^-?[0-9]{1,9}(\.[0-9]{1,9})?$")] private static partial Regex Number();
    [GeneratedRegex(@"^([0-9]{1,6}(\.[0-9]{1,6})?)(/[0-9]{1,6})?$")] private static partial Regex Radius();
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,16}$")] private static partial Regex TableName();
    /// <summary>A note that says another table prints a different number for the same cell (the paper contradicts itself).</summary>
    [GeneratedRegex(@"\bTable [IVXLC0-9]+ (gives|lists|prints|mean for this model is)\b|\b(contradict|disagree|inconsistent)", RegexOptions.IgnoreCase)]
    private static partial Regex ContradictionNote();

    public static bool FlagsContradiction(string? note) => !string.IsNullOrEmpty(note) && ContradictionNote().IsMatch(note);

    public static List<ReportedCsvRow> Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ReportedCsvException(info.Name, 0, null, "no such file");
        if (info.Length > MaxFileBytes) throw new ReportedCsvException(info.Name, 0, null, $"file is {info.Length} bytes; at most {MaxFileBytes} are read");
        using var s = File.OpenRead(path);
        return Read(s, info.Name);
    }

    public static List<ReportedCsvRow> Read(Stream stream, string source)
    {
        // Strict UTF-8: a byte that is not UTF-8 is an error, not a replacement character.
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024);
        var rows = new List<ReportedCsvRow>();
        var line = 0;
        long total = 0;
        string? text;
        while ((text = ReadLine(reader, source, line + 1)) != null)
        {
            line++;
            total += text.Length + 1;
            if (total > MaxFileBytes) throw new ReportedCsvException(source, line, null, $"more than {MaxFileBytes} bytes; split the file");
            if (line == 1)
            {
                var head = Split(text.TrimStart('\uFEFF'), source, line);
                if (!head.Select(h => h.Trim()).SequenceEqual(Columns))
                    throw new ReportedCsvException(source, 1, null, $"the header must be '{string.Join(',', Columns)}' (got '{Truncate(text)}')");
                continue;
            }
            if (text.Length == 0) continue; // a trailing blank line
            if (rows.Count >= MaxRows) throw new ReportedCsvException(source, line, null, $"more than {MaxRows} rows; split the file");
            rows.Add(Parse(Split(text, source, line), source, line, rows.Count + 1));
        }
        if (line == 0) throw new ReportedCsvException(source, 1, null, "empty file (expected the header line)");
        if (rows.Count == 0) throw new ReportedCsvException(source, line, null, "no data rows after the header");
        return rows;
    }

    private static ReportedCsvRow Parse(List<string> f, string source, int line, int row)
    {
        if (f.Count != Columns.Length) throw new ReportedCsvException(source, line, null, $"{f.Count} fields, expected {Columns.Length} ({string.Join(',', Columns)})");
        for (var i = 0; i < f.Count; i++)
        {
            if (f[i].Length > MaxFieldLength) throw new ReportedCsvException(source, line, Columns[i], $"{f[i].Length} characters; at most {MaxFieldLength}");
            if (f[i].Any(c => char.IsControl(c) || c is '\u200B' or '\u200E' or '\u200F' or '\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E' or '\u2066' or '\u2067' or '\u2068' or '\u2069'))
                throw new ReportedCsvException(source, line, Columns[i], "control or invisible characters are not allowed");
            f[i] = f[i].Trim();
        }
        string Need(int i) => f[i].Length > 0 ? f[i] : throw new ReportedCsvException(source, line, Columns[i], "must not be empty");
        var table = Need(0);
        if (!TableName().IsMatch(table)) throw new ReportedCsvException(source, line, "table", $"'{Truncate(table)}' is not a table number (letters, digits, '.', '-'; at most 16)");
        var threat = Need(7);
        if (!Threats.Contains(threat)) throw new ReportedCsvException(source, line, "threat", $"'{Truncate(threat)}' is not one of {string.Join(", ", Threats)}");
        var eps = f[8];
        if (threat == "clean" && eps.Length > 0) throw new ReportedCsvException(source, line, "eps", $"a clean result has no ε (got '{Truncate(eps)}')");
        if (threat != "clean" && !Radius().IsMatch(eps)) throw new ReportedCsvException(source, line, "eps", $"'{Truncate(eps)}' is not a radius like 4/255 or 3");
        var valueText = Need(9);
        double? value = null;
        if (valueText == "-")
        {
            if (f[11].Length == 0) throw new ReportedCsvException(source, line, "value", "'-' (no number) needs a note saying why");
        }
        else if (Number().IsMatch(valueText)) value = double.Parse(valueText, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        else throw new ReportedCsvException(source, line, "value", $"'{Truncate(valueText)}' is not a number as printed (e.g. 74.3) or '-'");
        return new ReportedCsvRow(row, line, table, Need(1), Need(2), Need(3), Need(4), Need(5), Need(6), threat, eps, valueText, value, f[10], f[11]);
    }

    /// <summary>ε as a number: "4/255" → 0.01568..., "3" → 3.</summary>
    public static double? RadiusValue(string eps)
    {
        if (string.IsNullOrEmpty(eps)) return null;
        var parts = eps.Split('/');
        if (!double.TryParse(parts[0], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return null;
        if (parts.Length == 1) return n;
        return double.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d > 0 ? n / d : null;
    }

    /// <summary>Roman table numbers in the paper's order (I &lt; II &lt; ... &lt; XV), anything else after them by name.</summary>
    public static int TableOrder(string table)
    {
        var map = new Dictionary<char, int> { ['I'] = 1, ['V'] = 5, ['X'] = 10, ['L'] = 50, ['C'] = 100 };
        if (table.Length == 0 || !table.All(map.ContainsKey)) return int.TryParse(table, out var n) ? n : 10_000;
        var total = 0;
        for (var i = 0; i < table.Length; i++)
        {
            var v = map[table[i]];
            total += i + 1 < table.Length && map[table[i + 1]] > v ? -v : v;
        }
        return total;
    }

    /// <summary>RFC 4180 fields of one line: quoted fields may hold commas and doubled quotes; a quote must close on its line.</summary>
    private static List<string> Split(string line, string source, int lineNo)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var i = 0;
        while (true)
        {
            sb.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length) throw new ReportedCsvException(source, lineNo, Column(fields.Count), "a quoted field is not closed on its line");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                if (i < line.Length && line[i] != ',') throw new ReportedCsvException(source, lineNo, Column(fields.Count), "text after a closing quote (a quote inside a field is written as \"\")");
            }
            else
            {
                var start = i;
                while (i < line.Length && line[i] != ',') i++;
                var raw = line[start..i];
                if (raw.Contains('"')) throw new ReportedCsvException(source, lineNo, Column(fields.Count), "a quote inside an unquoted field (quote the whole field)");
                sb.Append(raw);
            }
            fields.Add(sb.ToString());
            if (fields.Count > Columns.Length + 8) throw new ReportedCsvException(source, lineNo, null, $"more than {Columns.Length} fields");
            if (i >= line.Length) return fields;
            i++; // the comma
        }
    }

    private static string? Column(int index) => index < Columns.Length ? Columns[index] : null;

    private static string? ReadLine(StreamReader reader, string source, int lineNo)
    {
        try { return ReadBoundedLine(reader, source, lineNo); }
        catch (DecoderFallbackException) { throw new ReportedCsvException(source, lineNo, null, "not UTF-8 text"); }
    }

    private static string? ReadBoundedLine(StreamReader reader, string source, int lineNo)
    {
        var sb = new StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n') return sb.ToString();
            if (c == '\r') { if (reader.Peek() == '\n') reader.Read(); return sb.ToString(); }
            if (sb.Length >= MaxLineLength) throw new ReportedCsvException(source, lineNo, null, $"line longer than {MaxLineLength} characters");
            sb.Append((char)c);
        }
        return sb.Length == 0 ? null : sb.ToString();
    }

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
