using static TorchSharp.torch;

namespace Portal.Engine.Checkpoints;

/// <summary>
/// Named tensors read from a checkpoint, in file order. Owns the tensors: disposing the state dict frees them.
/// </summary>
public sealed class StateDict : IDisposable
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Keys => _order;
    public int Count => _order.Count;
    public Tensor this[string key] => _tensors.TryGetValue(key, out var t) ? t
        : throw new KeyNotFoundException($"checkpoint has no tensor '{key}'");

    public bool Contains(string key) => _tensors.ContainsKey(key);
    public bool TryGet(string key, out Tensor tensor) => _tensors.TryGetValue(key, out tensor!);

    public void Add(string key, Tensor tensor)
    {
        if (!_tensors.TryAdd(key, tensor))
            throw new CheckpointFormatException($"duplicate tensor name '{key}'");
        _order.Add(key);
    }

    public long ParameterCount => _tensors.Values.Sum(t => t.numel());

    /// <summary>A new state dict holding only keys with <paramref name="prefix"/>, prefix removed. Tensors are moved, not copied.</summary>
    public StateDict TakePrefix(string prefix)
    {
        var result = new StateDict { Metadata = Metadata };
        foreach (var k in _order.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            result.Add(k[prefix.Length..], _tensors[k]);
            _tensors.Remove(k);
            _order.Remove(k);
        }
        return result;
    }

    public bool HasPrefix(string prefix) => _order.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
        _order.Clear();
    }
}
