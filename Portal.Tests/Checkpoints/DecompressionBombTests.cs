using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using Portal.Tests.Support;
using Xunit.Abstractions;

namespace Portal.Tests.Checkpoints;

/// <summary>Runs alone: these tests measure the process's peak memory, which parallel tests would blur.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuredCollection
{
    public const string Name = "memory-measured";
}

/// <summary>
/// A few-MB torch zip whose three DEFLATEd 1 GiB storages expand to 3 GiB of zeros, written once (streaming) for
/// the class. (One storage is at most 2 GiB: a storage is read into one span.)
/// </summary>
public sealed class ZipBombFixture : IDisposable
{
    public const long Bytes = 3L << 30;
    private readonly FixturePaths.TempDir _dir = new();
    public string Path { get; }
    public long FileLength { get; }
    public TimeSpan WriteTime { get; }

    public ZipBombFixture()
    {
        Path = _dir.File("bomb.pth");
        var sw = Stopwatch.StartNew();
        const long each = Bytes / 3;
        var pkl = new PickleBuilder().Proto().EmptyDict();
        foreach (var k in new[] { "0", "1", "2" }) pkl.Str("w" + k).Tensor("FloatStorage", k, each / 4, 0, [each / 4], [1]).SetItem();
        DeflatedZip.Write(Path, pkl.Stop().ToArray(), new Dictionary<string, long> { ["0"] = each, ["1"] = each, ["2"] = each });
        WriteTime = sw.Elapsed;
        FileLength = new FileInfo(Path).Length;
    }

    public void Dispose() => _dir.Dispose();
}

internal static class DeflatedZip
{
    /// <summary>A torch zip whose storage record <paramref name="key"/> is <paramref name="length"/> zero (or random) bytes, DEFLATEd as written (1 MiB at a time).</summary>
    public static void Write(string path, byte[] pickle, string key, long length, bool random = false) =>
        Write(path, pickle, new Dictionary<string, long> { [key] = length }, random);

    public static void Write(string path, byte[] pickle, IReadOnlyDictionary<string, long> storages, bool random = false)
    {
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        void Stored(string name, byte[] data)
        {
            using var s = zip.CreateEntry("archive/" + name, CompressionLevel.NoCompression).Open();
            s.Write(data);
        }
        Stored("data.pkl", pickle);
        Stored("byteorder", "little"u8.ToArray());
        var chunk = new byte[1 << 20];
        var rng = new Random(5);
        foreach (var (key, length) in storages)
        {
            using var s = zip.CreateEntry("archive/data/" + key, CompressionLevel.SmallestSize).Open();
            for (long left = length; left > 0; left -= chunk.Length)
            {
                if (random) rng.NextBytes(chunk);
                s.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
        }
        Stored("version", "3\n"u8.ToArray());
    }

    /// <summary>Rewrites the uncompressed size the zip headers (local and central) give for <paramref name="entry"/>: a lying header.</summary>
    public static void PatchUncompressedSize(string path, string entry, uint size)
    {
        var bytes = File.ReadAllBytes(path);
        var eocd = bytes.AsSpan().LastIndexOf("PK\x05\x06"u8);
        var cd = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(eocd + 16));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(eocd + 10));
        for (int i = 0, at = cd; i < count; i++)
        {
            int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 28));
            int extra = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 30));
            int comment = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 32));
            var name = System.Text.Encoding.UTF8.GetString(bytes, at + 46, nameLen);
            if (name == entry)
            {
                var local = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 42));
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 24), size);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(local + 22), size);
                File.WriteAllBytes(path, bytes);
                return;
            }
            at += 46 + nameLen + extra + comment;
        }
        throw new InvalidOperationException($"no entry {entry}");
    }
}

/// <summary>Peak resident memory and managed allocation while an action runs (Linux /proc; peak reset through clear_refs).</summary>
internal static class MemoryProbe
{
    public sealed record Usage(long PeakRssDelta, long ManagedAllocated, TimeSpan Elapsed)
    {
        public override string ToString() => $"peak RSS +{PeakRssDelta / (1 << 20)} MiB, managed allocations {ManagedAllocated / (1 << 20)} MiB, {Elapsed.TotalMilliseconds:F0} ms";
    }

    private static long StatusKb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException($"no {field} in /proc/self/status");
    }

    public static Usage Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var rss = StatusKb("VmRSS");
        // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0); without it the delta is a lower bound.
        long baseline;
        try { File.WriteAllText("/proc/self/clear_refs", "5"); baseline = rss; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { baseline = Math.Max(rss, StatusKb("VmHWM")); }
        var managed = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        action();
        sw.Stop();
        return new Usage(Math.Max(0, StatusKb("VmHWM") - baseline), GC.GetTotalAllocatedBytes(precise: true) - managed, sw.Elapsed);
    }
}

[Collection(MemoryMeasuredCollection.Name)]
public class DecompressionBombTests(ZipBombFixture bomb, ITestOutputHelper output) : IClassFixture<ZipBombFixture>
{
    private const long Budget = 300L << 20;

    /// <summary>What EncoderLoader decides from keys and shapes, applied to the plan: refuses keys of no known architecture.</summary>
    private static readonly Action<CheckpointPlan> KnownArchitecture = plan =>
        ArchitectureDetector.Detect(ArchitectureDetector.SelectVisual(plan.Tensors.Select(t => (t.Name, t.Shape))));

    private void AssertCheap(MemoryProbe.Usage u, string what)
    {
        output.WriteLine($"{what}: {u} (bomb file {bomb.FileLength / 1024} KiB, written in {bomb.WriteTime.TotalSeconds:F1} s)");
        Assert.True(u.PeakRssDelta < Budget, $"{what}: {u}");
        Assert.True(u.ManagedAllocated < Budget, $"{what}: {u}");
    }

    [Fact]
    public void Probe_sees_memory_that_is_allocated_and_touched()
    {
        // The measurement itself: 256 MiB of native tensor memory, written, must show in the peak.
        var u = MemoryProbe.Measure(() =>
        {
            using var t = TorchSharp.torch.ones(64L << 20);
            Assert.Equal(64L << 20, t.sum().item<float>());
        });
        output.WriteLine($"probe check: {u}");
        Assert.True(u.PeakRssDelta > 200L << 20, u.ToString());
    }

    [Fact]
    public void Bomb_with_keys_of_no_architecture_is_refused_by_the_validator_before_any_storage_is_read()
    {
        Assert.True(bomb.FileLength < 8 << 20, $"bomb is {bomb.FileLength} bytes");
        CheckpointPlan? seen = null;
        EncoderLoadException? e = null;
        var u = MemoryProbe.Measure(() => e = Assert.Throws<EncoderLoadException>(() => CheckpointLoader.Load(bomb.Path,
            new CheckpointLoadOptions { Validate = p => { seen = p; KnownArchitecture(p); } })));
        Assert.Contains("unrecognised architecture", e!.Message);
        Assert.NotNull(seen);
        Assert.Equal(ZipBombFixture.Bytes, seen.TotalBytes);
        Assert.Equal(["w0", "w1", "w2"], seen.Tensors.Select(t => t.Name));
        Assert.All(seen.Tensors, t =>
        {
            Assert.Equal(("F32", ZipBombFixture.Bytes / 3), (t.DType, t.Bytes));
            Assert.Equal([ZipBombFixture.Bytes / 12], t.Shape);
        });
        AssertCheap(u, "validator refusal");
    }

    [Fact]
    public void The_encoder_loader_itself_refuses_the_bomb_before_reading_its_storage()
    {
        // The production path (validation of an upload): EncoderLoader plans the checkpoint with its architecture check.
        EncoderLoadException? e = null;
        var u = MemoryProbe.Measure(() => e = Assert.Throws<EncoderLoadException>(() => Portal.Engine.Encoders.EncoderLoader.Load(bomb.Path)));
        Assert.Contains("unrecognised architecture", e!.Message);
        AssertCheap(u, "encoder loader refusal");
    }

    [Fact]
    public void Bomb_over_the_total_bytes_limit_is_refused_before_any_storage_is_read()
    {
        CheckpointFormatException? e = null;
        var u = MemoryProbe.Measure(() => e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(bomb.Path,
            new CheckpointLoadOptions { Limits = new CheckpointLimits { MaxTotalBytes = 1L << 30 } })));
        Assert.Contains(bomb.Path, e!.Message);
        Assert.Contains($"declare {ZipBombFixture.Bytes} bytes in all, more than the {1L << 30}-byte limit", e.Message);
        AssertCheap(u, "limit refusal");
        Assert.True(ZipBombFixture.Bytes < CheckpointLimits.Default.MaxTotalBytes); // the default admits ViT-bigG; 3 GiB passes it
    }

    [Fact]
    public void Record_that_inflates_past_its_declared_size_is_refused_as_it_inflates()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("liar.pth");
        // The pickle and the zip header both say 1 MiB; the DEFLATE stream holds 512 MiB.
        const long declared = 1 << 20;
        var pkl = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", declared / 4, 0, [declared / 4], [1]).SetItem().Stop().ToArray();
        DeflatedZip.Write(path, pkl, "0", 512L << 20);
        DeflatedZip.PatchUncompressedSize(path, "archive/data/0", (uint)declared);
        CheckpointFormatException? e = null;
        var u = MemoryProbe.Measure(() => e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path)));
        Assert.Contains(path, e!.Message);
        // Either the inflated count passes the declared size, or (.NET stops at the header's size) the CRC-32 differs.
        Assert.True(e.Message.Contains($"inflates past the {declared} bytes storage '0' in the pickle declares")
            || e.Message.Contains("does not match the CRC-32 its zip header records"), e.Message);
        output.WriteLine(e.Message);
        AssertCheap(u, "inflating past the declared size");
        Assert.True(u.Elapsed < TimeSpan.FromSeconds(5), u.ToString());
    }

    [Fact]
    public void Record_that_inflates_to_less_than_declared_is_refused_before_its_memory_is_set_aside()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("short.pth");
        // Pickle and zip header both declare 1 GiB; the DEFLATE stream holds 3 MiB of random bytes (so the
        // compression ratio is plausible and only inflating tells the truth).
        const long declared = 1L << 30, actual = 3 << 20;
        var pkl = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", declared / 4, 0, [declared / 4], [1]).SetItem().Stop().ToArray();
        DeflatedZip.Write(path, pkl, "0", actual, random: true);
        DeflatedZip.PatchUncompressedSize(path, "archive/data/0", (uint)declared);
        CheckpointFormatException? e = null;
        var u = MemoryProbe.Measure(() => e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path)));
        Assert.Contains(path, e!.Message);
        Assert.Contains($"inflates to {actual} bytes, but storage '0' in the pickle declares {declared}", e.Message);
        AssertCheap(u, "inflating to less than declared");
    }
}
