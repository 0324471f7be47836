namespace Portal.Engine.Tasks;

/// <summary>A store kept in memory (tests, or callers that persist the final result only).</summary>
public sealed class InMemoryTwoAfcItemStore : ITwoAfcItemStore
{
    private readonly List<TwoAfcItemResult> _items = [];
    public int Appends { get; private set; }

    public IReadOnlyList<TwoAfcItemResult> LoadCompleted() { lock (_items) return _items.ToList(); }

    public void Append(IReadOnlyList<TwoAfcItemResult> items) { lock (_items) { _items.AddRange(items); Appends++; } }
}
