namespace Portal.Engine.Checkpoints.Pickle;

/// <summary>
/// Bounds that keep a hostile pickle from exhausting memory or the stack. Lengths inside a pickle are also
/// checked against the bytes actually left, so a declared size can never allocate more than the file holds.
/// </summary>
public sealed record PickleLimits
{
    /// <summary>Objects created (each opcode may make one); a 1,000-layer ViT state dict needs well under 100k.</summary>
    public long MaxObjects { get; init; } = 20_000_000;
    /// <summary>Open MARKs at once.</summary>
    public int MaxMarkDepth { get; init; } = 10_000;
    /// <summary>
    /// Container nesting (state dicts are 2–5 deep). Enforced while unpickling, as each tuple, list, dict, set or
    /// object is made or grows (O(1) per item), so a deep value is refused before anything hashes or walks it.
    /// </summary>
    public int MaxNestingDepth { get; init; } = 500;
    /// <summary>Length of a text-protocol line (protocol 0 numbers, names).</summary>
    public int MaxLineBytes { get; init; } = 1 << 16;
    /// <summary>Digits of one integer (LONG opcodes); bigger numbers are no checkpoint's business.</summary>
    public int MaxIntegerBytes { get; init; } = 256;

    public static readonly PickleLimits Default = new();
}
