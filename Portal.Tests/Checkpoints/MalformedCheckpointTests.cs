using Portal.Engine.Checkpoints;
using Portal.Engine.Checkpoints.Pickle;
using Portal.Tests.Support;

namespace Portal.Tests.Checkpoints;

/// <summary>Truncated, oversized and lying files: each refused with a CheckpointFormatException naming the problem.</summary>
public class MalformedCheckpointTests
{
    private static string ModelBin => Path.Combine(FixturePaths.Encoder("openclip-convnext-mini"), "model.bin");

    private static CheckpointFormatException Refused(string path) => Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path));

    [Fact]
    public void Zero_byte_and_random_files_are_refused()
    {
        using var dir = new FixturePaths.TempDir();
        File.WriteAllBytes(dir.File("empty.bin"), []);
        Assert.Contains("empty", Refused(dir.File("empty.bin")).Message);
        var rnd = new byte[4096];
        new Random(7).NextBytes(rnd);
        File.WriteAllBytes(dir.File("random.pt"), rnd);
        Assert.Contains("unrecognised checkpoint format", Refused(dir.File("random.pt")).Message);
        Assert.Contains("not found", Refused(dir.File("missing.pt")).Message);
    }

    [Fact]
    public void Truncated_zip_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var bytes = File.ReadAllBytes(ModelBin);
        foreach (var keep in new[] { 100, bytes.Length / 2, bytes.Length - 30 })
        {
            var path = dir.File($"cut{keep}.bin");
            File.WriteAllBytes(path, bytes[..keep]);
            var e = Refused(path);
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void Storage_shorter_than_the_tensor_claims_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("short.pt");
        var pkl = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1]).SetItem().Stop().ToArray();
        TorchZipWriter.Write(path, pkl, new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1, 2, 3) });
        var e = Refused(path);
        Assert.Contains("storage '0'", e.Message);
        Assert.Contains("holds 12 bytes", e.Message);
    }

    [Fact]
    public void Tensor_view_outside_its_storage_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("view.pt");
        var pkl = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 4, 2, [2, 2], [2, 1]).SetItem().Stop().ToArray();
        TorchZipWriter.Write(path, pkl, new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1, 2, 3, 4) });
        var e = Refused(path);
        Assert.Contains("tensor 'w'", e.Message);
        Assert.Contains("reaches element 5", e.Message);
    }

    [Fact]
    public void Missing_storage_record_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("nostorage.pt");
        var pkl = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "7", 1, 0, [1], [1]).SetItem().Stop().ToArray();
        TorchZipWriter.Write(path, pkl, new Dictionary<string, byte[]>());
        Assert.Contains("storage '7' has no record", Refused(path).Message);
    }

    [Fact]
    public void Huge_declared_sizes_allocate_nothing()
    {
        using var dir = new FixturePaths.TempDir();
        // A 4 GB string in a 20-byte pickle.
        var a = dir.File("a.pkl");
        File.WriteAllBytes(a, new PickleBuilder().Proto().Op((byte)'X').Raw(0xF0, 0xFF, 0xFF, 0xFF).Ascii("abc").Stop().ToArray());
        Assert.Contains("4294967280-byte item", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(a)).Message);
        // BINBYTES8 with a length beyond long.
        File.WriteAllBytes(a, new PickleBuilder().Proto(4).Op(0x8e).Raw(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF).Stop().ToArray());
        Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(a));
        // A storage of 10^15 floats and a tensor claiming all of it.
        var b = dir.File("b.pt");
        var pkl = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 1_000_000_000_000_000, 0, [1_000_000_000_000_000], [1]).SetItem().Stop().ToArray();
        TorchZipWriter.Write(b, pkl, new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1) });
        var eb = Refused(b).Message; Assert.True(eb.Contains("storage '0'"), eb);
        // A 4 GB integer literal.
        File.WriteAllBytes(a, new PickleBuilder().Proto().Op(0x8b).Raw(0xFF, 0xFF, 0xFF, 0x7F).Stop().ToArray());
        Assert.Contains("out of bounds", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(a)).Message);
    }

    [Fact]
    public void Deep_nesting_self_reference_and_mark_floods_are_bounded()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("deep.pkl");
        var p = new PickleBuilder().Proto();
        const int depth = 100_000;
        for (int i = 0; i < depth; i++) p.EmptyList();
        for (int i = 0; i < depth - 1; i++) p.Append();
        File.WriteAllBytes(path, p.Stop().ToArray());
        Assert.Contains("nests deeper", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);

        File.WriteAllBytes(path, new PickleBuilder().Proto().EmptyList().Put(0).Get(0).Append().Stop().ToArray());
        Assert.Contains("refers to itself", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);

        var marks = new PickleBuilder().Proto();
        for (int i = 0; i < 20_000; i++) marks.Mark();
        File.WriteAllBytes(path, marks.Stop().ToArray());
        Assert.Contains("MARKs", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);

        var many = new PickleBuilder().Proto().EmptyList();
        for (int i = 0; i < 2000; i++) many.None().Append();
        File.WriteAllBytes(path, many.Stop().ToArray());
        var limits = new PickleLimits { MaxObjects = 1000 };
        Assert.Contains("more than 1000 objects", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path, limits)).Message);
    }

    [Fact]
    public void Unterminated_and_garbled_pickles_are_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("x.pkl");
        File.WriteAllBytes(path, new PickleBuilder().Proto().EmptyDict().Str("a").ToArray());
        Assert.Contains("truncated", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);
        File.WriteAllBytes(path, new PickleBuilder().Proto().Op(0xFF).ToArray());
        Assert.Contains("unknown pickle opcode 0xff", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);
        File.WriteAllBytes(path, new PickleBuilder().Proto().Append().Stop().ToArray());
        Assert.Contains("underflow", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);
        File.WriteAllBytes(path, new PickleBuilder().Proto().Get(9).Stop().ToArray());
        Assert.Contains("memo slot 9", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);
    }

    [Fact]
    public void Random_byte_flips_of_model_bin_either_load_or_throw_a_format_error()
    {
        using var dir = new FixturePaths.TempDir();
        var original = File.ReadAllBytes(ModelBin);
        var rng = new Random(1234);
        int loaded = 0, refused = 0;
        for (int i = 0; i < 150; i++)
        {
            var bytes = (byte[])original.Clone();
            var flips = rng.Next(1, 6);
            for (int f = 0; f < flips; f++)
            {
                // Half the flips hit data.pkl (the first ~9 KB), a quarter the zip directory at the end.
                var r = rng.NextDouble();
                var at = r < 0.5 ? rng.Next(0, 9400) : r < 0.75 ? rng.Next(original.Length - 8000, original.Length) : rng.Next(original.Length);
                bytes[at] ^= (byte)rng.Next(1, 256);
            }
            var path = dir.File($"f{i}.bin");
            File.WriteAllBytes(path, bytes);
            try
            {
                using var sd = CheckpointLoader.Load(path);
                loaded++;
            }
            catch (CheckpointFormatException)
            {
                refused++;
            }
            File.Delete(path);
        }
        Assert.Equal(150, loaded + refused);
        Assert.True(refused > 0);
    }
}
