using System.Collections;

namespace Portal.Engine.Checkpoints.Pickle;

// The values the restricted unpickler builds. Python None is C# null; bool, int (long or BigInteger), float
// (double), str (string) and bytes (byte[]) map to the obvious C# types; lists are List<object?>.

/// <summary>
/// A Python tuple: immutable, compared by value so it can be a dict key. Its hash is computed once, when it is
/// made, from its items' (already computed) hashes, and equality walks nested tuples with an explicit stack: a
/// key nested a million tuples deep costs no recursion (the unpickler refuses such nesting anyway).
/// </summary>
public sealed class PyTuple : IReadOnlyList<object?>, IEquatable<PyTuple>
{
    public static readonly PyTuple Empty = new([]);
    private readonly int _hash;

    public PyTuple(IReadOnlyList<object?> items)
    {
        Items = items;
        var h = new HashCode();
        foreach (var x in items) h.Add(x is null ? 0 : PyKeyComparer.Instance.GetHashCode(x));
        _hash = h.ToHashCode();
    }

    public IReadOnlyList<object?> Items { get; }
    public int Count => Items.Count;
    public object? this[int index] => Items[index];
    public IEnumerator<object?> GetEnumerator() => Items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(PyTuple? other)
    {
        if (other is null) return false;
        var work = new Stack<(PyTuple A, PyTuple B)>();
        work.Push((this, other));
        while (work.Count > 0)
        {
            var (a, b) = work.Pop();
            if (ReferenceEquals(a, b)) continue;
            if (a._hash != b._hash || a.Count != b.Count) return false;
            for (int i = 0; i < a.Count; i++)
            {
                var (x, y) = (a.Items[i], b.Items[i]);
                if (x is PyTuple tx)
                {
                    if (y is not PyTuple ty) return false;
                    work.Push((tx, ty));
                }
                else if (y is PyTuple || !PyKeyComparer.Instance.Equals(x, y)) return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is PyTuple t && Equals(t);
    public override int GetHashCode() => _hash;
    public override string ToString() => "(" + string.Join(", ", Items.Select(PickleText.Describe)) + ")";
}

/// <summary>A Python dict (or OrderedDict): insertion-ordered. Keys are strings, numbers, bytes or tuples.</summary>
public sealed class PyDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly OrderedDictionary<object, object?> _items = new(PyKeyComparer.Instance);
    /// <summary>Attributes set by BUILD (e.g. the <c>_metadata</c> of a torch state_dict); kept, never interpreted.</summary>
    public object? State { get; internal set; }
    public int Count => _items.Count;
    public IEnumerable<object> Keys => _items.Keys;
    public object? this[object key] => _items[key];
    public bool TryGetValue(object key, out object? value) => _items.TryGetValue(key, out value);
    internal void Set(object? key, object? value)
    {
        if (key is null) throw new CheckpointFormatException("pickle uses None as a dict key, which no checkpoint needs");
        if (key is List<object?> or PyDict) throw new CheckpointFormatException($"pickle uses an unhashable {PickleText.TypeName(key)} as a dict key");
        _items[key] = value;
    }
    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A Python set or frozenset, kept as its items in pickle order.</summary>
public sealed record PySet(List<object?> Items, bool Frozen);

/// <summary>A reference to an allow-listed global (a class or function), never a live object.</summary>
public sealed record PyGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;
    public override string ToString() => FullName;
}

/// <summary>
/// An instance of an allow-listed class that carries data only (argparse.Namespace, torch.device): its
/// constructor arguments and the state BUILD gave it. Nothing of the class is ever run.
/// </summary>
public sealed class PyObject(string typeName, PyTuple args)
{
    public string TypeName { get; } = typeName;
    public PyTuple Args { get; } = args;
    public object? State { get; internal set; }
    public override string ToString() => $"{TypeName}{Args}";
}

/// <summary>A torch storage named by a persistent id: raw bytes kept outside the pickle, under <see cref="Key"/>.</summary>
public sealed record StorageRef(string Key, TorchDType DType, long Numel, string Location);

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a strided view into a storage. Data is read later, only if kept.</summary>
public sealed record PickleTensor(StorageRef Storage, long Offset, long[] Size, long[] Stride)
{
    public long Numel => Size.Aggregate(1L, (a, b) => checked(a * b));
}

/// <summary>Storage element types torch checkpoints use, named like safetensors dtypes.</summary>
public enum TorchDType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL }

internal sealed class PyKeyComparer : IEqualityComparer<object?>
{
    public static readonly PyKeyComparer Instance = new();
    public new bool Equals(object? x, object? y)
    {
        if (x is byte[] a && y is byte[] b) return a.AsSpan().SequenceEqual(b);
        if (x is long or System.Numerics.BigInteger or bool && y is long or System.Numerics.BigInteger or bool) return ToBig(x) == ToBig(y);
        return object.Equals(x, y);
    }
    public int GetHashCode(object? obj) => obj switch
    {
        byte[] b => b.Length == 0 ? 0 : HashCode.Combine(b.Length, b[0], b[^1]),
        long or bool or System.Numerics.BigInteger => ToBig(obj).GetHashCode(),
        null => 0,
        _ => obj.GetHashCode(),
    };
    private static System.Numerics.BigInteger ToBig(object? o) => o switch
    {
        long l => l, bool t => t ? 1 : 0, System.Numerics.BigInteger b => b, _ => 0,
    };
}

internal static class PickleText
{
    public static string TypeName(object? o) => o switch
    {
        null => "None", bool => "bool", long or System.Numerics.BigInteger => "int", double => "float", string => "str",
        byte[] => "bytes", List<object?> => "list", PyTuple => "tuple", PyDict => "dict", PySet s => s.Frozen ? "frozenset" : "set",
        PyGlobal g => g.FullName, PyObject p => p.TypeName, PickleTensor => "tensor", StorageRef => "storage",
        NumpyArray => "numpy.ndarray", NumpyDTypeBuilder => "numpy.dtype", _ => o.GetType().Name,
    };

    public static string Describe(object? o) => o switch
    {
        null => "None", string s => "'" + (s.Length > 40 ? s[..40] + "…" : s) + "'", long or double or bool => o.ToString()!,
        _ => TypeName(o),
    };
}
