using System.Text.Json;
using Portal.Engine.Records;

namespace Portal.Engine.Tasks;

/// <summary>
/// Per-item 2AFC results as JSON lines (<see cref="JsonlRecordStore{T}"/>): appended once per batch and flushed, tied to
/// the run configuration's fingerprint, tolerant of a torn last line, so a killed run resumes where it stopped.
/// </summary>
public sealed class JsonlTwoAfcItemStore(string path, string? fingerprint = null) : ITwoAfcItemStore
{
    public static JsonSerializerOptions Json => JsonlRecordStore<TwoAfcItemResult>.Json;

    private readonly JsonlRecordStore<TwoAfcItemResult> _records = new(path, fingerprint);

    public string Path => _records.Path;
    public IReadOnlyList<TwoAfcItemResult> LoadCompleted() => _records.LoadCompleted();
    public void Append(IReadOnlyList<TwoAfcItemResult> items) => _records.Append(items);
}
