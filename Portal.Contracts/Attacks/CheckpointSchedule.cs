namespace Portal.Engine.Attacks;

/// <summary>
/// APGD's checkpoints, in iterations: the first after ⌊0.22 N⌋ iterations, each later interval 0.03 N shorter but at
/// least 0.06 N — the paper's p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06), with the integer
/// rounding of the reference implementation (each quantity floored separately, at least 1).
/// </summary>
public readonly record struct CheckpointSchedule(int FirstInterval, int MinInterval, int Decrease)
{
    public static CheckpointSchedule For(int iterations) => new(
        Math.Max((int)(0.22 * iterations), 1),
        Math.Max((int)(0.06 * iterations), 1),
        Math.Max((int)(0.03 * iterations), 1));

    public int Next(int interval) => Math.Max(interval - Decrease, MinInterval);

    /// <summary>0-based iterations after which a checkpoint is evaluated (for documentation and tests).</summary>
    public IEnumerable<int> Iterations(int iterations)
    {
        int k = FirstInterval, at = k - 1;
        while (at < iterations) { yield return at; k = Next(k); at += k; }
    }
}
