using System.Text;
using System.Text.Json;

namespace Portal.Engine.Tasks;

/// <summary>
/// Per-item 2AFC results as JSON lines, appended once per batch and flushed to disk, so a killed run can resume.
/// The first line records a fingerprint of the run configuration: a file written by another configuration is refused
/// instead of silently mixing results. A torn last line (the process died mid-write) is ignored and cut off before
/// the next append; a damaged line elsewhere is an error naming the line.
/// </summary>
public sealed class JsonlTwoAfcItemStore(string path, string? fingerprint = null) : ITwoAfcItemStore
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Path { get; } = path;
    /// <summary>Bytes of the file that hold complete lines (set by <see cref="LoadCompleted"/>).</summary>
    private long? _validLength;

    public IReadOnlyList<TwoAfcItemResult> LoadCompleted()
    {
        var results = new List<TwoAfcItemResult>();
        if (!File.Exists(Path)) { _validLength = 0; return results; }
        var bytes = File.ReadAllBytes(Path);
        int start = 0, lineNo = 0;
        bool headerSeen = false;
        while (start < bytes.Length)
        {
            lineNo++;
            int nl = Array.IndexOf(bytes, (byte)'\n', start);
            bool complete = nl >= 0;
            int end = complete ? nl : bytes.Length;
            var line = Encoding.UTF8.GetString(bytes, start, end - start).Trim();
            if (line.Length > 0)
            {
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.TryGetProperty("fingerprint", out var fp))
                    {
                        if (!headerSeen && fingerprint != null && fp.GetString() != fingerprint)
                            throw new InvalidOperationException($"{Path} holds results of a different run configuration; delete it (or choose another output) to start over");
                        headerSeen = true;
                    }
                    else results.Add(doc.RootElement.Deserialize<TwoAfcItemResult>(Json) ?? throw new JsonException("null record"));
                }
                catch (JsonException e)
                {
                    if (!complete) break;   // torn last line: the run died while writing it
                    throw new FormatException($"{Path}:{lineNo}: damaged result line ({e.Message})", e);
                }
            }
            if (!complete) { start = bytes.Length; break; }
            start = nl + 1;
        }
        _validLength = start;
        return results;
    }

    public void Append(IReadOnlyList<TwoAfcItemResult> items)
    {
        if (_validLength == null) LoadCompleted();
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (dir != null) Directory.CreateDirectory(dir);
        using var fs = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        if (fs.Length != _validLength) fs.SetLength(_validLength!.Value);   // drop a torn tail
        fs.Seek(0, SeekOrigin.End);
        var sb = new StringBuilder();
        if (fs.Length == 0) sb.Append(JsonSerializer.Serialize(new { fingerprint = fingerprint ?? "" }, Json)).Append('\n');
        foreach (var r in items) sb.Append(JsonSerializer.Serialize(r, Json)).Append('\n');
        var data = Encoding.UTF8.GetBytes(sb.ToString());
        fs.Write(data);
        fs.Flush(flushToDisk: true);
        _validLength = fs.Length;
    }
}
