using Portal.Engine.Demo;

namespace Portal.Engine.Training;

/// <summary>
/// Which images make up the batch of a step, and whether each is flipped, as pure functions of (seed, step): epochs
/// walk a seeded permutation of the set (Fisher–Yates on SplitMix64), so resuming at step s needs only s.
/// </summary>
public sealed class TrainingOrder(int count, ulong seed)
{
    private int _epoch = -1;
    private int[] _perm = [];

    public (int Index, bool Flip)[] Batch(int step, int batchSize)
    {
        var r = new (int, bool)[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            long global = (long)step * batchSize + i;
            int epoch = (int)(global / count), pos = (int)(global % count);
            var rng = new SplitMix64(Mix(seed, 0xF1F1, (ulong)global));
            r[i] = (Permutation(epoch)[pos], rng.NextDouble() < 0.5);
        }
        return r;
    }

    private int[] Permutation(int epoch)
    {
        if (epoch == _epoch) return _perm;
        var p = Enumerable.Range(0, count).ToArray();
        var rng = new SplitMix64(Mix(seed, 0xE90C, (ulong)epoch));
        for (int i = p.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.Next() % (ulong)(i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }
        _epoch = epoch;
        _perm = p;
        return p;
    }

    /// <summary>A 64-bit key from several values (one SplitMix64 round per value), for per-purpose random streams.</summary>
    public static ulong Mix(ulong a, ulong b, ulong c)
    {
        var r = new SplitMix64(a);
        var x = r.Next() ^ b;
        r = new SplitMix64(x);
        x = r.Next() ^ c;
        r = new SplitMix64(x);
        return r.Next();
    }
}
