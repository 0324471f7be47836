namespace Portal.Engine.Checkpoints;

/// <summary>Bounds on what one checkpoint may make the loader allocate.</summary>
public sealed record CheckpointLimits
{
    /// <summary>
    /// Tensor bytes one checkpoint may declare in all (the storages its kept tensors use). The largest supported
    /// checkpoint, a whole OpenCLIP ViT-bigG-14 in float32 (2.54 billion parameters), is about 10.2 GB.
    /// </summary>
    public long MaxTotalBytes { get; init; } = 12L * 1024 * 1024 * 1024;

    public static readonly CheckpointLimits Default = new();
}

/// <summary>One tensor as the file declares it, before any of its data is read.</summary>
/// <param name="DType">Safetensors spelling (F32, F16, BF16, I64, …) of the stored type.</param>
/// <param name="Storage">Where its bytes are: a torch storage key, or the safetensors byte range.</param>
public sealed record CheckpointTensorPlan(string Name, string DType, long[] Shape, long Bytes, string Storage);

/// <summary>
/// What reading a checkpoint would allocate, from its header or pickle alone: the tensor names, dtypes and
/// shapes, and the bytes declared in all. Built and checked (size limit, then the caller's validator) before
/// any tensor data is read or any tensor memory allocated.
/// </summary>
public sealed record CheckpointPlan(string Path, string Format, IReadOnlyList<CheckpointTensorPlan> Tensors, long TotalBytes)
{
    internal void Approve(CheckpointLoadOptions options)
    {
        var cap = (options.Limits ?? CheckpointLimits.Default).MaxTotalBytes;
        if (TotalBytes > cap)
            throw new CheckpointFormatException(
                $"{Path}: its {Tensors.Count} tensors declare {TotalBytes} bytes in all, more than the {cap}-byte limit (CheckpointLimits.MaxTotalBytes); nothing was read");
        options.Validate?.Invoke(this);
    }

    internal static long Sum(IEnumerable<long> sizes, string path)
    {
        long total = 0;
        foreach (var s in sizes)
        {
            try { total = checked(total + s); }
            catch (OverflowException) { throw new CheckpointFormatException($"{path}: tensors declare more than {long.MaxValue} bytes in all"); }
        }
        return total;
    }
}
