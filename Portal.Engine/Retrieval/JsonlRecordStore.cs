using System.Text;
using System.Text.Json;

namespace Portal.Engine.Retrieval;

/// <summary>Where per-item records of a retrieval or detection run persist, so a killed run resumes where it stopped.</summary>
public interface IRecordStore<T>
{
    IReadOnlyList<T> LoadCompleted();
    void Append(IReadOnlyList<T> records);
}

/// <summary>Keeps records in memory only (a run that need not survive a crash).</summary>
public sealed class InMemoryRecordStore<T> : IRecordStore<T>
{
    private readonly List<T> _records = [];
    public IReadOnlyList<T> LoadCompleted() => _records.ToList();
    public void Append(IReadOnlyList<T> records) => _records.AddRange(records);
}

/// <summary>
/// Records as JSON lines, as the 2AFC item store keeps them: a first line with the run's configuration fingerprint
/// (a file of another configuration is refused), one line per record appended and flushed per batch, a torn last line
/// ignored and cut before the next append, a damaged line elsewhere reported by line number.
/// </summary>
public sealed class JsonlRecordStore<T>(string path, string fingerprint) : IRecordStore<T>
{
    public static readonly JsonSerializerOptions Json = Tasks.JsonlTwoAfcItemStore.Json;
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
                        if (fp.GetString() != fingerprint)
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
        if (fs.Length == 0) sb.Append(JsonSerializer.Serialize(new { fingerprint }, Json)).Append('\n');
        foreach (var r in records) sb.Append(JsonSerializer.Serialize(r, Json)).Append('\n');
        fs.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        fs.Flush(flushToDisk: true);
        _validLength = fs.Length;
    }
}
