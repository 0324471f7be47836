namespace Portal.Engine.Checkpoints.Pickle;

/// <summary>
/// A numpy array from a pickle: dtype as numpy spells it (e.g. "&lt;f8"), shape, C or Fortran order, raw bytes.
/// Filled in by BUILD on the object <c>numpy.core.multiarray._reconstruct</c> returned, so memo references to it stay valid.
/// </summary>
public sealed class NumpyArray
{
    public string DType { get; private set; } = "";
    public long[] Shape { get; private set; } = [];
    public bool FortranOrder { get; private set; }
    public byte[] Data { get; private set; } = [];
    internal bool Built { get; private set; }

    public long Length => Shape.Aggregate(1L, (a, b) => a * b);

    internal NumpyArray Build(object? state)
    {
        if (Built) throw new CheckpointFormatException("pickle sets the state of a numpy array twice");
        if (state is not PyTuple { Count: 5 } t || t[1] is not PyTuple shape || t[2] is not NumpyDTypeBuilder dt || t[3] is not bool fortran)
            throw new CheckpointFormatException("pickle: numpy array state is not (version, shape, dtype, is_fortran, data)");
        var dims = shape.Select(x => x is long l && l >= 0 ? l : throw new CheckpointFormatException("pickle: numpy array has a negative or non-integer dimension")).ToArray();
        long count = 1;
        var item = NumpyDTypes.ItemSize(dt.Kind);
        try
        {
            foreach (var d in dims) count = checked(count * d);
            _ = checked(count * item);
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException($"pickle: numpy array {dt.Descr}[{string.Join(",", dims)}] has a size that overflows 64 bits");
        }
        if (t[4] is not byte[] raw)
            throw new CheckpointFormatException($"pickle: numpy array of dtype '{dt.Descr}' stores Python objects, which plain data does not accept");
        if (raw.Length != checked(count * item))
            throw new CheckpointFormatException($"pickle: numpy array {dt.Descr}[{string.Join(",", dims)}] needs {count * item} bytes but holds {raw.Length}");
        (DType, Shape, FortranOrder, Data, Built) = (dt.Descr, dims, fortran, raw, true);
        return this;
    }

    /// <summary>Elements as doubles in storage order (row-major unless <see cref="FortranOrder"/>).</summary>
    public double[] ToDoubles()
    {
        var kind = DType.TrimStart('<', '>', '|', '=');
        var swap = DType.StartsWith('>') == BitConverter.IsLittleEndian;
        var elem = NumpyDTypes.ItemSize(kind);
        var r = new double[Length];
        Span<byte> b = stackalloc byte[8];
        for (int i = 0; i < r.Length; i++)
        {
            var e = b[..elem];
            Data.AsSpan(i * elem, elem).CopyTo(e);
            if (swap && elem > 1) e.Reverse();
            r[i] = NumpyDTypes.ToDouble(kind, e);
        }
        return r;
    }
}

/// <summary>The state of a <c>numpy.dtype(...)</c> call: type string, then byte order from BUILD.</summary>
internal sealed class NumpyDTypeBuilder(string kind)
{
    public string Kind { get; } = NumpyDTypes.Validate(kind);
    public char ByteOrder { get; private set; } = '|';
    public string Descr => (NumpyDTypes.ItemSize(Kind) == 1 ? '|' : ByteOrder) + Kind;

    public void SetState(object? state)
    {
        if (state is not PyTuple { Count: >= 2 } t || t[1] is not string order || order.Length != 1)
            throw new CheckpointFormatException("pickle: numpy dtype state is malformed");
        if (t.Count > 3 && t[3] is not null)
            throw new CheckpointFormatException("pickle: structured numpy dtypes (with fields) are not accepted as plain data");
        ByteOrder = order[0] == '=' ? (BitConverter.IsLittleEndian ? '<' : '>') : order[0];
    }

    /// <summary><c>numpy.core.multiarray.scalar(dtype, bytes)</c> as a plain number.</summary>
    public object Scalar(byte[] raw)
    {
        var size = NumpyDTypes.ItemSize(Kind);
        if (raw.Length != size) throw new CheckpointFormatException($"pickle: numpy scalar of dtype '{Descr}' has {raw.Length} bytes, not {size}");
        Span<byte> b = raw.ToArray();
        if ((ByteOrder == '>') == BitConverter.IsLittleEndian && size > 1) b.Reverse();
        var d = NumpyDTypes.ToDouble(Kind, b);
        return Kind[0] switch
        {
            'f' => d,
            'b' => d != 0,
            'u' when Kind == "u8" && BitConverter.ToUInt64(b) > long.MaxValue => new System.Numerics.BigInteger(BitConverter.ToUInt64(b)),
            _ => (long)d,
        };
    }
}

internal static class NumpyDTypes
{
    private static readonly HashSet<string> Known = ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"];

    public static string Validate(string descr)
    {
        var k = descr.TrimStart('<', '>', '|', '=');
        k = k switch { "bool" => "b1", "float64" => "f8", "float32" => "f4", "int64" => "i8", "int32" => "i4", "uint8" => "u1", _ => k };
        if (!Known.Contains(k))
            throw new CheckpointFormatException($"pickle: numpy dtype '{descr}' is not accepted as plain data (numeric and bool only)");
        return k;
    }

    public static int ItemSize(string kind) => kind[1] - '0';

    public static double ToDouble(string kind, ReadOnlySpan<byte> b) => kind switch
    {
        "f8" => BitConverter.ToDouble(b), "f4" => BitConverter.ToSingle(b), "f2" => (double)BitConverter.ToHalf(b),
        "i8" => BitConverter.ToInt64(b), "i4" => BitConverter.ToInt32(b), "i2" => BitConverter.ToInt16(b), "i1" => (sbyte)b[0],
        "u8" => BitConverter.ToUInt64(b), "u4" => BitConverter.ToUInt32(b), "u2" => BitConverter.ToUInt16(b), "u1" => b[0],
        "b1" => b[0] != 0 ? 1 : 0,
        _ => throw new CheckpointFormatException($"numpy dtype '{kind}' is not numeric"),
    };
}
