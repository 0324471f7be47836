using System.Text;

namespace Portal.Engine.Checkpoints.Pickle;

/// <summary>Which globals a pickle may name.</summary>
public enum GlobalPolicy
{
    /// <summary>torch.save state dicts: tensor rebuilders, storages, plain containers, inert records, numpy data.</summary>
    Checkpoint,
    /// <summary>Plain data (numpy arrays, containers, inert records); no tensors.</summary>
    PlainData,
    /// <summary>
    /// Structure check of a TorchScript archive's pickles: any global is accepted as an inert name, because the
    /// operator has already chosen to run that archive's code. Still nothing is invoked here.
    /// </summary>
    AnyAsInertName,
}

/// <summary>
/// The allow-list. A global not listed here is refused the moment the pickle names it — before any REDUCE —
/// with an error giving its <c>module.name</c>. Listed globals are interpreted by C# code that builds data;
/// nothing is ever looked up by reflection or executed.
/// </summary>
internal static class PickleGlobals
{
    private static readonly Dictionary<string, TorchDType> StorageTypes = new()
    {
        ["FloatStorage"] = TorchDType.F32, ["HalfStorage"] = TorchDType.F16, ["BFloat16Storage"] = TorchDType.BF16,
        ["DoubleStorage"] = TorchDType.F64, ["LongStorage"] = TorchDType.I64, ["IntStorage"] = TorchDType.I32,
        ["ShortStorage"] = TorchDType.I16, ["CharStorage"] = TorchDType.I8, ["ByteStorage"] = TorchDType.U8,
        ["BoolStorage"] = TorchDType.BOOL,
    };

    private static readonly HashSet<string> TensorRebuilders =
    [
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    ];

    // Data-only names shared by every policy.
    private static readonly HashSet<string> DataGlobals =
    [
        "collections.OrderedDict", "_codecs.encode",
        "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.object",
        "__builtin__.set", "__builtin__.frozenset", "__builtin__.bytearray", "__builtin__.object",
        "copyreg._reconstructor", "copy_reg._reconstructor",
        "argparse.Namespace", "torch.device",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
        "numpy.ndarray", "numpy.dtype",
    ];

    /// <summary>Classes whose instances are kept as inert records (their state only).</summary>
    private static readonly HashSet<string> InertClasses = ["argparse.Namespace", "torch.device"];

    public static bool TryStorageType(PyGlobal g, out TorchDType dtype)
    {
        dtype = default;
        return g.Module == "torch" && StorageTypes.TryGetValue(g.Name, out dtype);
    }

    public static PyGlobal Resolve(string module, string name, GlobalPolicy policy)
    {
        var g = new PyGlobal(module, name);
        if (policy == GlobalPolicy.AnyAsInertName) return g;
        var full = g.FullName;
        if (DataGlobals.Contains(full)) return g;
        if (policy == GlobalPolicy.Checkpoint && (TensorRebuilders.Contains(full) || TryStorageType(g, out _))) return g;
        throw new CheckpointFormatException($"pickle refers to the global '{full}', which is not on the allow-list of data-only names (refused; nothing was executed)");
    }

    /// <summary>REDUCE: <paramref name="callable"/>(*args), for the few callables that build data.</summary>
    public static object? Call(PyGlobal callable, PyTuple args, GlobalPolicy policy)
    {
        switch (callable.FullName)
        {
            case "collections.OrderedDict":
            {
                var d = new PyDict();
                if (args.Count == 1 && args[0] is List<object?> pairs)
                    foreach (var p in pairs)
                        if (p is PyTuple { Count: 2 } kv) d.Set(kv[0], kv[1]);
                        else throw Bad(callable, "expects (key, value) pairs");
                else if (args.Count != 0) throw Bad(callable, "takes no arguments here");
                return d;
            }
            case "builtins.set" or "__builtin__.set" or "builtins.frozenset" or "__builtin__.frozenset":
            {
                var frozen = callable.Name == "frozenset";
                if (args.Count == 0) return new PySet([], frozen);
                if (args.Count == 1 && args[0] is List<object?> items) return new PySet([.. items], frozen);
                throw Bad(callable, "expects one list");
            }
            case "builtins.bytearray" or "__builtin__.bytearray":
                if (args.Count == 0) return Array.Empty<byte>();
                if (args.Count == 1 && args[0] is byte[] b) return b;
                if (args.Count == 2 && args[0] is string s && args[1] is string enc) return Encode(s, enc, callable);
                throw Bad(callable, "expects bytes or (str, encoding)");
            case "_codecs.encode":
                if (args.Count == 2 && args[0] is string text && args[1] is string encoding) return Encode(text, encoding, callable);
                throw Bad(callable, "expects (str, encoding)");
            case "copyreg._reconstructor" or "copy_reg._reconstructor":
                if (args.Count == 3 && args[0] is PyGlobal cls && InertClasses.Contains(cls.FullName)
                    && args[1] is PyGlobal { Name: "object" } && args[2] is null)
                    return new PyObject(cls.FullName, PyTuple.Empty);
                throw Bad(callable, "is only accepted for argparse.Namespace / torch.device records");
            case "argparse.Namespace" or "torch.device":
                return new PyObject(callable.FullName, args);
            case "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor":
                return RebuildTensor(callable, args);
            case "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state":
                if (args.Count >= 1 && args[0] is PickleTensor t) return t;
                throw Bad(callable, "expects a tensor as its first argument");
            case "numpy.core.multiarray._reconstruct" or "numpy._core.multiarray._reconstruct":
                if (args.Count == 3 && args[0] is PyGlobal { Module: "numpy", Name: "ndarray" }) return new NumpyArray();
                throw Bad(callable, "is only accepted for numpy.ndarray");
            case "numpy.dtype":
                if (args.Count >= 1 && args[0] is string descr) return new NumpyDTypeBuilder(descr);
                throw Bad(callable, "expects a dtype string");
            case "numpy.core.multiarray.scalar" or "numpy._core.multiarray.scalar":
                if (args.Count == 2 && args[0] is NumpyDTypeBuilder dt && args[1] is byte[] raw) return dt.Scalar(raw);
                throw Bad(callable, "expects (dtype, bytes)");
        }
        if (policy == GlobalPolicy.AnyAsInertName) return new PyObject(callable.FullName, args);
        throw new CheckpointFormatException($"pickle calls '{callable.FullName}', which builds no data here (refused; nothing was executed)");
    }

    /// <summary>NEWOBJ / INST / OBJ: <c>cls.__new__(cls, *args)</c>; only inert record classes.</summary>
    public static object NewObject(PyGlobal cls, PyTuple args, GlobalPolicy policy)
    {
        if (InertClasses.Contains(cls.FullName) || policy == GlobalPolicy.AnyAsInertName) return new PyObject(cls.FullName, args);
        if (cls.FullName == "collections.OrderedDict") return new PyDict();
        throw new CheckpointFormatException($"pickle instantiates '{cls.FullName}', which is not an inert record type (refused)");
    }

    /// <summary>BUILD: sets the state of an object made above.</summary>
    public static object Build(object? target, object? state)
    {
        switch (target)
        {
            case PyObject o: o.State = state; return o;
            case PyDict d: d.State = state; return d;
            case NumpyDTypeBuilder dt: dt.SetState(state); return dt;
            case NumpyArray a: return a.Build(state);
            default: throw new CheckpointFormatException($"pickle sets state on a {PickleText.TypeName(target)}, which takes none");
        }
    }

    private static PickleTensor RebuildTensor(PyGlobal f, PyTuple a)
    {
        if (a.Count < 4 || a[0] is not StorageRef storage)
            throw Bad(f, "expects (storage, offset, size, stride, ...)");
        var offset = ToLong(a[1], f, "offset");
        var size = ToLongs(a[2], f, "size");
        var stride = ToLongs(a[3], f, "stride");
        if (size.Length != stride.Length) throw Bad(f, $"has size of {size.Length} dims but stride of {stride.Length}");
        return new PickleTensor(storage, offset, size, stride);
    }

    private static long ToLong(object? o, PyGlobal f, string what) => o switch
    {
        long l => l,
        System.Numerics.BigInteger b => throw Bad(f, $"has a {what} of {b}, outside the 64-bit range (an impossible tensor)"),
        _ => throw Bad(f, $"{what} is a {PickleText.TypeName(o)}, not an int"),
    };

    private static long[] ToLongs(object? o, PyGlobal f, string what) =>
        o is PyTuple t ? t.Select(x => ToLong(x, f, what)).ToArray() : throw Bad(f, $"{what} is a {PickleText.TypeName(o)}, not a tuple");

    private static byte[] Encode(string s, string encoding, PyGlobal f)
    {
        var enc = encoding.ToLowerInvariant().Replace('_', '-');
        if (enc is "latin1" or "latin-1" or "iso-8859-1")
        {
            var r = new byte[s.Length];
            for (int i = 0; i < s.Length; i++)
                r[i] = s[i] <= 0xFF ? (byte)s[i] : throw Bad(f, "got a character outside latin-1");
            return r;
        }
        if (enc is "utf8" or "utf-8") return Encoding.UTF8.GetBytes(s);
        throw Bad(f, $"uses the unsupported encoding '{encoding}'");
    }

    internal static CheckpointFormatException Bad(PyGlobal f, string what) => new($"pickle: '{f.FullName}' {what}");
}
