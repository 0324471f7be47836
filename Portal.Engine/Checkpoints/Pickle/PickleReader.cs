namespace Portal.Engine.Checkpoints.Pickle;

/// <summary>
/// Public entry for plain-data pickles (e.g. revisitop <c>gnd_*.pkl</c> ground truth): dicts, lists, strings,
/// numbers and numpy arrays, nothing else. Any other global is refused by name; nothing is executed.
/// </summary>
public static class PickleReader
{
    /// <summary>Bigger than any ground-truth file; the pickle is read into memory whole.</summary>
    public const long MaxPlainDataBytes = 512L * 1024 * 1024;

    /// <summary>
    /// Reads one pickle. Result types: null, bool, long, BigInteger, double, string, byte[], List&lt;object?&gt; (list, set),
    /// <see cref="PyTuple"/>, OrderedDictionary&lt;object, object?&gt; (dict; also argparse.Namespace as its attribute dict),
    /// <see cref="NumpyArray"/>.
    /// </summary>
    public static object? LoadPlainData(string path, PickleLimits? limits = null)
    {
        if (!File.Exists(path)) throw new CheckpointFormatException($"pickle not found: {path}");
        var len = new FileInfo(path).Length;
        if (len == 0) throw new CheckpointFormatException($"{path}: file is empty (0 bytes)");
        if (len > MaxPlainDataBytes) throw new CheckpointFormatException($"{path}: {len} bytes is more than the {MaxPlainDataBytes}-byte limit for plain-data pickles");
        var raw = RestrictedUnpickler.Load(File.ReadAllBytes(path), path, GlobalPolicy.PlainData, limits);
        return ToPlain(raw, 0, limits ?? PickleLimits.Default, path);
    }

    internal static object? ToPlain(object? o, int depth, PickleLimits limits, string source)
    {
        if (depth > limits.MaxNestingDepth)
            throw new CheckpointFormatException($"{source}: data nests deeper than {limits.MaxNestingDepth} levels (or refers to itself)");
        switch (o)
        {
            case null or bool or long or System.Numerics.BigInteger or double or string or byte[]:
                return o;
            case NumpyArray a:
                return a.Built ? a : throw new CheckpointFormatException($"{source}: numpy array was never given its data");
            case List<object?> list:
                return list.Select(x => ToPlain(x, depth + 1, limits, source)).ToList();
            case PySet set:
                return set.Items.Select(x => ToPlain(x, depth + 1, limits, source)).ToList();
            case PyTuple t:
                return new PyTuple(t.Select(x => ToPlain(x, depth + 1, limits, source)).ToList());
            case PyDict d:
            {
                var r = new OrderedDictionary<object, object?>(PyKeyComparer.Instance!);
                foreach (var kv in d) r[ToPlain(kv.Key, depth + 1, limits, source)!] = ToPlain(kv.Value, depth + 1, limits, source);
                return r;
            }
            case PyObject { TypeName: "argparse.Namespace", State: PyDict state }:
                return ToPlain(state, depth, limits, source);
            case PyObject p:
                return p.ToString();
            case NumpyDTypeBuilder dt:
                return dt.Descr;
            default:
                throw new CheckpointFormatException($"{source}: a {PickleText.TypeName(o)} is not plain data");
        }
    }
}
