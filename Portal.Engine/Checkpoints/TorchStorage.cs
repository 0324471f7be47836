using Portal.Engine.Checkpoints.Pickle;
using static TorchSharp.torch;

namespace Portal.Engine.Checkpoints;

/// <summary>Storage dtypes, and turning a <see cref="PickleTensor"/> view into an owned contiguous tensor, bounds checked.</summary>
internal static class TorchStorage
{
    public static int ElementSize(TorchDType t) => t switch
    {
        TorchDType.F64 or TorchDType.I64 => 8,
        TorchDType.F32 or TorchDType.I32 => 4,
        TorchDType.F16 or TorchDType.BF16 or TorchDType.I16 => 2,
        _ => 1,
    };

    public static ScalarType ToScalarType(TorchDType t) => t switch
    {
        TorchDType.F32 => ScalarType.Float32, TorchDType.F16 => ScalarType.Float16, TorchDType.BF16 => ScalarType.BFloat16,
        TorchDType.F64 => ScalarType.Float64, TorchDType.I64 => ScalarType.Int64, TorchDType.I32 => ScalarType.Int32,
        TorchDType.I16 => ScalarType.Int16, TorchDType.I8 => ScalarType.Int8, TorchDType.U8 => ScalarType.Byte,
        _ => ScalarType.Bool,
    };

    /// <summary>Bytes a storage of <paramref name="s"/> needs; refuses sizes no single buffer can hold.</summary>
    public static long ByteLength(StorageRef s, string source)
    {
        if (s.Numel < 0) throw new CheckpointFormatException($"{source}: storage '{s.Key}' declares a negative size");
        long n;
        try { n = checked(s.Numel * ElementSize(s.DType)); }
        catch (OverflowException) { throw new CheckpointFormatException($"{source}: storage '{s.Key}' declares {s.Numel} elements, an impossible size"); }
        if (n > Array.MaxLength)
            throw new CheckpointFormatException($"{source}: storage '{s.Key}' is {n} bytes; storages over {Array.MaxLength} bytes are not supported");
        return n;
    }

    /// <summary>Checks the view fits the storage; a lying size/stride/offset is refused before anything is read.</summary>
    public static void CheckView(string name, PickleTensor t, string source)
    {
        if (t.Offset < 0) throw new CheckpointFormatException($"{source}: tensor '{name}' has a negative storage offset");
        for (int i = 0; i < t.Size.Length; i++)
            if (t.Size[i] < 0 || t.Stride[i] < 0)
                throw new CheckpointFormatException($"{source}: tensor '{name}' has a negative size or stride");
        // Element count (and bytes) must fit in 64 bits, naming the tensor rather than surfacing an OverflowException.
        var bytes = SafeTensors.ByteCount(t.Size, ElementSize(t.Storage.DType), source, name, t.Storage.DType.ToString());
        if (bytes == 0) return;
        long last = t.Offset;
        try
        {
            for (int i = 0; i < t.Size.Length; i++) last = checked(last + (t.Size[i] - 1) * t.Stride[i]);
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(
                $"{source}: tensor '{name}' [{string.Join(",", t.Size)}] with strides [{string.Join(",", t.Stride)}] from offset {t.Offset} reaches past any 64-bit storage index");
        }
        if (last >= t.Storage.Numel)
            throw new CheckpointFormatException(
                $"{source}: tensor '{name}' [{string.Join(",", t.Size)}] reaches element {last} of storage '{t.Storage.Key}', which has only {t.Storage.Numel}");
    }

    /// <summary>An owned, contiguous copy of the view (views of one shared storage stay independent).</summary>
    public static Tensor Materialise(Tensor storage, PickleTensor t)
    {
        var result = empty(t.Size, storage.dtype);
        if (t.Numel == 0) return result;
        using var view = storage.as_strided(t.Size, t.Stride, t.Offset);
        result.copy_(view);
        return result;
    }
}
