namespace Portal.Engine.Demo;

/// <summary>A tiny PRNG with a fixed algorithm, so the demo dataset is byte-identical on every machine and .NET version.</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0,1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    public int NextInt(int maxExclusive) => (int)(NextDouble() * maxExclusive);
    public double Range(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Standard normal (Box–Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
