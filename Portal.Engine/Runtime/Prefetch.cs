namespace Portal.Engine.Runtime;

/// <summary>
/// A bounded prefetch pipeline: while item k is consumed, items k+1 … k+depth are produced on the thread pool (e.g.
/// image decoding and resizing beside the attack). <see cref="Take"/> returns items in order and rethrows a producer's
/// exception at that item; disposing waits for what is still in flight and disposes results never taken.
/// </summary>
/// <param name="phase">The profile phase the producer's work is recorded under, marked <see cref="Profile.BesideMarker"/> (it runs beside the consumer's phases).</param>
public sealed class Prefetch<T>(int count, Func<int, T> produce, string phase, int depth = 1) : IDisposable where T : class, IDisposable
{
    private readonly Dictionary<int, Task<T>> _inFlight = [];
    private int _next;

    /// <summary>Starts producing the first items now (e.g. while a check runs before the loop).</summary>
    public void Start() => StartThrough(depth);

    public T Take(int index)
    {
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index));
        StartThrough(index + depth);
        if (!_inFlight.Remove(index, out var task)) throw new InvalidOperationException($"item {index} was already taken");
        using (Profile.Phase("waiting for prefetched input"))
            return task.GetAwaiter().GetResult();
    }

    private void StartThrough(int last)
    {
        for (; _next <= Math.Min(last, count - 1); _next++)
        {
            int k = _next;
            _inFlight[k] = Task.Run(() =>
            {
                using (Profile.Phase($"{phase} {Profile.BesideMarker}")) return produce(k);
            });
        }
    }

    public void Dispose()
    {
        foreach (var task in _inFlight.Values)
        {
            try { task.GetAwaiter().GetResult().Dispose(); }
            catch (Exception) { /* the run is already ending; its own error is the one to report */ }
        }
        _inFlight.Clear();
    }
}
