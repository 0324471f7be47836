namespace Portal.Engine.Attacks;

/// <summary>
/// A small per-item random stream (SplitMix64) for attacks that draw a few numbers per item per iteration (Square's
/// window positions and signs): seeded by an item key from <see cref="ItemSeed"/>, fully specified here, so a key gives
/// the same draws on every device, batch composition, runtime version and platform — and it costs no tensor call.
/// </summary>
public sealed class ItemRandom(ulong key)
{
    private ulong _state = key;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0,1), 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>−1 or +1 with equal probability.</summary>
    public double NextSign() => (NextUInt64() >> 63) == 0 ? -1.0 : 1.0;

    /// <summary>⌊U·(high − low)⌋ + low, U uniform in [0,1): AutoAttack's random_int (high itself is never drawn unless high = low).</summary>
    public int NextInt(int low, int high) => low + (int)Math.Floor(NextDouble() * (high - low));
}
