using System.Globalization;

namespace Portal.Engine.Runtime.Memory;

/// <summary>
/// Host RAM, as Linux reports it. In use: the process's resident set (VmRSS); peak: its high-water mark (VmHWM), which
/// writing 5 to /proc/self/clear_refs resets. Headroom: the least of MemAvailable, the cgroup's limit less its usage
/// (v2 memory.max − memory.current, or v1's limit_in_bytes − usage_in_bytes) and a cap of the caller's less the RSS.
/// </summary>
public sealed class HostMemoryGauge(long? capBytes = null, string procRoot = "/proc", string cgroupRoot = "/sys/fs/cgroup") : IMemoryGauge
{
    public string What => "host RAM: the process's resident set (VmRSS, peak VmHWM) against MemAvailable"
        + (capBytes is { } c ? $", the cgroup limit and a cap of {c >> 20} MiB" : " and the cgroup limit");

    public long InUseBytes() => StatusKib("VmRSS") * 1024;

    public long PeakBytes() => StatusKib("VmHWM") * 1024;

    public bool BeginWindow()
    {
        NativeHeap.Release();   // free-but-kept heap pages would count as resident and be reused unseen by the next step
        try { File.WriteAllText(Path.Combine(procRoot, "self", "clear_refs"), "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public long HeadroomBytes()
    {
        long headroom = Kib(Read(Path.Combine(procRoot, "meminfo")), "MemAvailable") is { } avail ? avail * 1024 : long.MaxValue;
        if (CgroupHeadroom() is { } cg) headroom = Math.Min(headroom, cg);
        if (capBytes is { } cap) headroom = Math.Min(headroom, cap - InUseBytes());
        return Math.Max(0, headroom);
    }

    private long StatusKib(string key) => Kib(Read(Path.Combine(procRoot, "self", "status")), key)
        ?? throw new InvalidOperationException($"{procRoot}/self/status has no {key} line (not Linux?)");

    /// <summary>The value of a "Key:   1234 kB" line, in KiB; null when absent.</summary>
    internal static long? Kib(string? text, string key)
    {
        if (text is null) return null;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(key + ":", StringComparison.Ordinal)) continue;
            var parts = line[(key.Length + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        return null;
    }

    /// <summary>Limit less usage of this process's memory cgroup; null when there is no limit or no cgroup to read.</summary>
    internal long? CgroupHeadroom()
    {
        var membership = Read(Path.Combine(procRoot, "self", "cgroup")) ?? "";
        foreach (var line in membership.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(':', 3);
            if (f.Length != 3) continue;
            var rel = f[2].TrimStart('/');
            if (f[0] == "0" && f[1] == "")
            {
                // v2; inside a container the listed path is often the host's, and the container's own cgroup is the mount's root.
                foreach (var dir in new[] { Path.Combine(cgroupRoot, rel), cgroupRoot })
                    if (Limit(Read(Path.Combine(dir, "memory.max")), Read(Path.Combine(dir, "memory.current"))) is { } v) return v;
            }
            else if (f[1].Split(',').Contains("memory"))
            {
                foreach (var dir in new[] { Path.Combine(cgroupRoot, "memory", rel), Path.Combine(cgroupRoot, "memory") })
                    if (Limit(Read(Path.Combine(dir, "memory.limit_in_bytes")), Read(Path.Combine(dir, "memory.usage_in_bytes"))) is { } v) return v;
            }
        }
        return null;
    }

    /// <summary>limit − usage; null for "max", v1's "no limit" (a page-rounded 2^63) or unreadable files.</summary>
    internal static long? Limit(string? limit, string? usage)
    {
        if (limit is null || usage is null) return null;
        if (!long.TryParse(limit.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max) || max >= 1L << 60) return null;
        if (!long.TryParse(usage.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var used)) return null;
        return Math.Max(0, max - used);
    }

    private static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
