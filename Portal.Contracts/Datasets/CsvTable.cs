using System.Text;

namespace Portal.Engine.Datasets;

/// <summary>
/// A small RFC 4180 CSV reader (quoted fields, doubled quotes, commas and newlines inside quotes), enough for
/// dataset index files such as NIGHTS' data.csv whose prompt column holds free text.
/// </summary>
public sealed class CsvTable
{
    public IReadOnlyList<string> Header { get; }
    /// <summary>Data rows with their 1-based line number in the file (for error messages).</summary>
    public IReadOnlyList<(int Line, string[] Fields)> Rows { get; }

    private CsvTable(IReadOnlyList<string> header, IReadOnlyList<(int, string[])> rows) { Header = header; Rows = rows; }

    /// <summary>Index of the column with this name (case-insensitive), or -1.</summary>
    public int Column(string name)
    {
        for (int i = 0; i < Header.Count; i++)
            if (string.Equals(Header[i].Trim(), name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    public static CsvTable Read(string path)
    {
        var records = Parse(File.ReadAllText(path), path);
        if (records.Count == 0) throw new FormatException($"{path}: empty CSV file (no header)");
        return new CsvTable(records[0].Fields, records.Skip(1).Where(r => !(r.Fields.Length == 1 && r.Fields[0].Length == 0)).ToList());
    }

    private static List<(int Line, string[] Fields)> Parse(string text, string path)
    {
        var rows = new List<(int, string[])>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool inQuotes = false;
        int line = 1, rowLine = 1;
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else inQuotes = false;
                }
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"': inQuotes = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    rows.Add((rowLine, fields.ToArray())); fields.Clear();
                    line++; rowLine = line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (inQuotes) throw new FormatException($"{path}: unterminated quoted field starting on line {rowLine}");
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); rows.Add((rowLine, fields.ToArray())); }
        return rows;
    }
}
