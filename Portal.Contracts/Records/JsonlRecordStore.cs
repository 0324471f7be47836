using System.Text;
using System.Text.Json;

namespace Portal.Engine.Records;

/// <summary>
/// Records as JSON lines: a first line with the run's configuration fingerprint (a file of another configuration is
/// refused instead of silently mixing results; a null fingerprint accepts any), one line per record appended and
/// flushed to disk per batch, a torn last line (the process died mid-write) ignored and cut before the next append, a
/// damaged line elsewhere reported by line number.
/// </summary>
public sealed class JsonlRecordStore<T>(string path, string? fingerprint) : IRecordStore<T>
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
    public string Path { get; } = path;
    private long? _validLength;

    public IReadOnlyList<T> LoadCompleted()
    {
        var results = new List<T>();
        if (!File.Exists(Path)) { _validLength = 0; return results; }
        var bytes = File.ReadAllBytes(Path);
        int start = 0, lineNo = 0;
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
                    if (lineNo == 1 && doc.RootElement.TryGetProperty("fingerprint", out var fp))
                    {
                        if (fingerprint != null && fp.GetString() != fingerprint)
                            throw new InvalidOperationException($"{Path} holds records of a different run configuration; delete it (or choose another file) to start over");
                    }
                    else results.Add(doc.RootElement.Deserialize<T>(Json) ?? throw new JsonException("null record"));
                }
                catch (JsonException e)
                {
                    if (!complete) break;
                    throw new FormatException($"{Path}:{lineNo}: damaged record line ({e.Message})", e);
                }
            }
            if (!complete) { start = bytes.Length; break; }
            start = nl + 1;
        }
        _validLength = start;
        return results;
    }

    public void Append(IReadOnlyList<T> records)
    {
        if (_validLength == null) LoadCompleted();
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (dir != null) Directory.CreateDirectory(dir);
        using var fs = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        if (fs.Length != _validLength) fs.SetLength(_validLength!.Value);
        fs.Seek(0, SeekOrigin.End);
        var sb = new StringBuilder();
        if (fs.Length == 0) sb.Append(JsonSerializer.Serialize(new { fingerprint = fingerprint ?? "" }, Json)).Append('\n');
        foreach (var r in records) sb.Append(JsonSerializer.Serialize(r, Json)).Append('\n');
        fs.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        fs.Flush(flushToDisk: true);
        _validLength = fs.Length;
    }
}
