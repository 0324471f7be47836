using Portal.Engine.Runtime;

namespace Portal.Tests.Runtime;

public class PrefetchTests
{
    private sealed class Item(int value) : IDisposable
    {
        public int Value { get; } = value;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void Items_come_in_order_at_most_depth_ahead_and_untaken_ones_are_disposed()
    {
        var produced = new List<Item>();
        var started = new List<int>();
        Item Produce(int k)
        {
            lock (started) started.Add(k);
            var item = new Item(k * 10);
            lock (produced) produced.Add(item);
            return item;
        }
        var prefetch = new Prefetch<Item>(5, Produce, "test", depth: 2);
        Assert.Equal(0, prefetch.Take(0).Value);
        Assert.True(SpinWait.SpinUntil(() => { lock (started) return started.Count == 3; }, 5000));
        Thread.Sleep(50);
        lock (started) Assert.Equal([0, 1, 2], started.Order());      // item 0 plus two ahead, no more
        Assert.Equal(10, prefetch.Take(1).Value);
        Assert.Throws<InvalidOperationException>(() => prefetch.Take(1));
        prefetch.Dispose();                                           // 2 and 3 were produced ahead and never taken
        lock (produced)
        {
            Assert.Equal([0, 1, 2, 3], produced.Select(p => p.Value / 10).Order());
            Assert.All(produced.Where(p => p.Value >= 20), p => Assert.True(p.Disposed));
            Assert.All(produced.Where(p => p.Value < 20), p => Assert.False(p.Disposed));   // taken: the caller's to dispose
        }
    }

    [Fact]
    public void A_producer_error_surfaces_at_its_own_item()
    {
        using var prefetch = new Prefetch<Item>(3, k => k == 1 ? throw new IOException($"item {k} unreadable") : new Item(k), "test");
        Assert.Equal(0, prefetch.Take(0).Value);
        var e = Assert.Throws<IOException>(() => prefetch.Take(1));
        Assert.Equal("item 1 unreadable", e.Message);
        Assert.Equal(2, prefetch.Take(2).Value);
    }

    [Fact]
    public void The_producer_work_is_profiled_under_its_phase_and_nothing_is_recorded_without_a_profile()
    {
        var profile = new Profile();
        using (profile.Activate())
        using (var prefetch = new Prefetch<Item>(2, k => { Thread.Sleep(20); return new Item(k); }, "decode"))
        {
            using (Profile.Phase("main")) { prefetch.Take(0); prefetch.Take(1); }
        }
        var phases = profile.Phases.ToDictionary(p => p.Name);
        var beside = phases[$"decode {Profile.BesideMarker}"];
        Assert.Equal(2, beside.Count);
        Assert.True(beside.Seconds >= 0.03, beside.ToString());
        Assert.Equal(2, phases["waiting for prefetched input"].Count);
        Assert.Equal(1, phases["main"].Count);

        using (Profile.Phase("outside any profile")) { }
        Assert.DoesNotContain(profile.Phases, p => p.Name == "outside any profile");
    }
}
