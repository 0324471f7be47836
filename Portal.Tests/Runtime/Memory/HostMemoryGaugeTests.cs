using Portal.Engine.Runtime.Memory;
using Portal.Tests.Support;

namespace Portal.Tests.Runtime.Memory;

public class HostMemoryGaugeTests
{
    [Theory]
    [InlineData("VmRSS:\t  123456 kB\nVmHWM:\t 200000 kB\n", "VmRSS", 123456L)]
    [InlineData("VmRSS:\t  123456 kB\nVmHWM:\t 200000 kB\n", "VmHWM", 200000L)]
    [InlineData("MemTotal:       24683764 kB\nMemAvailable:   24062244 kB\n", "MemAvailable", 24062244L)]
    [InlineData("MemTotal:       24683764 kB\n", "MemAvailable", null)]
    [InlineData("VmRSS:\tgarbage kB\n", "VmRSS", null)]
    public void Kib_lines_are_read_whatever_the_spacing(string text, string key, long? expected) =>
        Assert.Equal(expected, HostMemoryGauge.Kib(text, key));

    [Theory]
    [InlineData("1000\n", "400\n", 600L)]
    [InlineData("400", "1000", 0L)]
    [InlineData("max\n", "400", null)]
    [InlineData("9223372036854771712", "400", null)]   // cgroup v1's "no limit"
    [InlineData("-1", "400", null)]
    [InlineData(null, "400", null)]
    public void A_cgroup_limit_less_its_usage_or_none(string? limit, string? usage, long? expected) =>
        Assert.Equal(expected, HostMemoryGauge.Limit(limit, usage));

    [Fact]
    public void Headroom_is_the_least_of_available_memory_the_cgroup_limit_and_the_cap()
    {
        using var dir = new FixturePaths.TempDir();
        var proc = Path.Combine(dir.Path, "proc");
        var cgroup = Path.Combine(dir.Path, "cgroup");
        Directory.CreateDirectory(Path.Combine(proc, "self"));
        Directory.CreateDirectory(Path.Combine(cgroup, "worker.slice"));
        File.WriteAllText(Path.Combine(proc, "meminfo"), "MemTotal: 8000000 kB\nMemAvailable:    4000000 kB\n");
        File.WriteAllText(Path.Combine(proc, "self", "status"), "Name:\tportal\nVmHWM:\t  300000 kB\nVmRSS:\t  250000 kB\n");
        File.WriteAllText(Path.Combine(proc, "self", "cgroup"), "0::/worker.slice\n");
        void Cgroup(string max, string current)
        {
            File.WriteAllText(Path.Combine(cgroup, "worker.slice", "memory.max"), max);
            File.WriteAllText(Path.Combine(cgroup, "worker.slice", "memory.current"), current);
        }

        Cgroup("max\n", "1000\n");
        Assert.Equal(4000000L * 1024, new HostMemoryGauge(null, proc, cgroup).HeadroomBytes());
        Cgroup("3000000000\n", "1000000000\n");
        Assert.Equal(2000000000L, new HostMemoryGauge(null, proc, cgroup).HeadroomBytes());
        // A 1 GiB cap with 250000 KiB resident leaves the rest of the GiB.
        Assert.Equal((1L << 30) - 250000L * 1024, new HostMemoryGauge(1L << 30, proc, cgroup).HeadroomBytes());
        Assert.Equal(250000L * 1024, new HostMemoryGauge(null, proc, cgroup).InUseBytes());
        Assert.Equal(300000L * 1024, new HostMemoryGauge(null, proc, cgroup).PeakBytes());
        // A clear_refs that cannot be written (here a folder): the window cannot be reset, and says so.
        Directory.CreateDirectory(Path.Combine(proc, "self", "clear_refs"));
        Assert.False(new HostMemoryGauge(null, proc, cgroup).BeginWindow());

        // cgroup v1: the memory controller's own hierarchy.
        File.WriteAllText(Path.Combine(proc, "self", "cgroup"), "12:memory:/worker\n11:cpu,cpuacct:/worker\n");
        Directory.CreateDirectory(Path.Combine(cgroup, "memory", "worker"));
        File.WriteAllText(Path.Combine(cgroup, "memory", "worker", "memory.limit_in_bytes"), "1500000000\n");
        File.WriteAllText(Path.Combine(cgroup, "memory", "worker", "memory.usage_in_bytes"), "500000000\n");
        Assert.Equal(1000000000L, new HostMemoryGauge(null, proc, cgroup).HeadroomBytes());
    }

    [Fact]
    public void A_process_without_proc_status_gets_a_clear_error()
    {
        using var dir = new FixturePaths.TempDir();
        var e = Assert.Throws<InvalidOperationException>(() => new HostMemoryGauge(null, dir.Path, dir.Path).InUseBytes());
        Assert.Contains("no VmRSS line", e.Message);
    }
}
