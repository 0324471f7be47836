namespace Portal.Engine.Records;

/// <summary>Keeps records in memory only (a run that need not survive a crash).</summary>
public sealed class InMemoryRecordStore<T> : IRecordStore<T>
{
    private readonly List<T> _records = [];
    public IReadOnlyList<T> LoadCompleted() => _records.ToList();
    public void Append(IReadOnlyList<T> records) => _records.AddRange(records);
}
