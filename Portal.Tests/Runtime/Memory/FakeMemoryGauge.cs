using Portal.Engine.Runtime.Memory;

namespace Portal.Tests.Runtime.Memory;

/// <summary>A gauge whose peak is what a step says it took: <see cref="Take"/> records a batch's peak under a chosen law.</summary>
internal sealed class FakeMemoryGauge(long headroomBytes, Func<int, long> peakOfBatch) : IMemoryGauge
{
    public const long Mib = 1L << 20;
    private long _peak;
    public int Windows { get; private set; }
    public List<int> Batches { get; } = [];

    public string What => "fake";
    public long HeadroomBytes() => headroomBytes;
    public long InUseBytes() => 100 * Mib;   // what was in use before the probes: peaks are counted above it
    public bool BeginWindow() { Windows++; _peak = InUseBytes(); return true; }
    public long PeakBytes() => _peak;

    /// <summary>A step at <paramref name="batch"/> items ran.</summary>
    public void Take(int batch)
    {
        Batches.Add(batch);
        _peak = Math.Max(_peak, InUseBytes() + peakOfBatch(batch));
    }
}
