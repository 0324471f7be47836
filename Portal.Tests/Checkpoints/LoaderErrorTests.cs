using System.Buffers.Binary;
using System.Text;
using Portal.Engine.Checkpoints;
using Portal.Tests.Support;

namespace Portal.Tests.Checkpoints;

/// <summary>
/// Refusals name the file and the problem (and the tensor where there is one) instead of surfacing a bare .NET
/// message such as "Arithmetic operation resulted in an overflow."; the plan (sizes, limit, validator) is applied
/// to every format.
/// </summary>
public class LoaderErrorTests
{
    private static CheckpointFormatException Refused(string path, CheckpointLoadOptions? o = null) =>
        Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path, o));

    private static void WriteSafeTensors(string path, byte[] header, byte[] data)
    {
        using var f = File.Create(path);
        var n = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)header.Length);
        f.Write(n);
        f.Write(header);
        f.Write(data);
    }

    private static byte[] Json(string s) => Encoding.UTF8.GetBytes(s);

    private static string Shape(long[] shape) => "[" + string.Join(",", shape) + "]";

    public static TheoryData<string, long[]> OverflowingShapes => new()
    {
        { "safetensors", [1L << 32, 1L << 32] },
        { "safetensors", [0, 1L << 62, 1L << 62] },
        { "safetensors", [1L << 61, 2] }, // elements fit in 64 bits, F32 bytes do not
        { "torch-zip", [1L << 32, 1L << 32] },
        { "torch-zip", [0, 1L << 62, 1L << 62] },
        { "torch-legacy", [1L << 32, 1L << 32] },
    };

    [Theory]
    [MemberData(nameof(OverflowingShapes))]
    public void Shape_whose_size_overflows_is_refused_naming_file_and_tensor(string format, long[] shape)
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("overflow." + format);
        const string name = "blocks.0.attn.qkv.weight";
        var stride = shape.Select(_ => 1L).ToArray(); // refused on the shape alone, whatever the strides
        switch (format)
        {
            case "safetensors":
                WriteSafeTensors(path, Json("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + Shape(shape) + ",\"data_offsets\":[0,4]}}"), new byte[4]);
                break;
            case "torch-zip":
                TorchZipWriter.Write(path, new PickleBuilder().Proto().EmptyDict().Str(name).Tensor("FloatStorage", "0", 1, 0, shape, stride).SetItem().Stop().ToArray(),
                    new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1) });
                break;
            default:
                var p = new PickleBuilder().Proto().EmptyDict().Str(name);
                TorchLegacyWriter.Tensor(p, "FloatStorage", "0", 1, shape, stride);
                TorchLegacyWriter.Write(path, p.SetItem().Stop().ToArray(), [("0", 1, TorchZipWriter.Floats(1))]);
                break;
        }
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains($"tensor '{name}'", e.Message);
        Assert.Contains("overflows", e.Message);
        Assert.DoesNotContain("Arithmetic operation", e.Message);
    }

    [Fact]
    public void Tensor_size_beyond_64_bits_is_refused_by_name()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("bigint.pt");
        // size = (2**70,): a 9-byte LONG1 inside the size tuple.
        var p = new PickleBuilder().Proto().EmptyDict().Str("w")
            .Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(1).Tuple().BinPersId()
            .Int(0).Mark().Op(0x8a).Op(9).Raw(0, 0, 0, 0, 0, 0, 0, 0, 0x40).Tuple().IntTuple(1).Bool(false)
            .Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce().SetItem().Stop().ToArray();
        TorchZipWriter.Write(path, p, new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1) });
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains($"size of {System.Numerics.BigInteger.Pow(2, 70)}, outside the 64-bit range", e.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_safetensors_header_is_refused_saying_where()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("badname.safetensors");
        var header = Json("""{"blocks.0.w?x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        var at = Array.IndexOf(header, (byte)'?');
        header[at] = 0xFF;
        WriteSafeTensors(path, header, new byte[4]);
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains($"not valid UTF-8: byte 0xFF at header offset {at}, after 'blocks.0.w'", e.Message);

        // In a metadata value, and a truncated multi-byte sequence (0xE2 0x82 then a quote).
        var meta = Json("""{"__metadata__":{"note":"caf??"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        var q = Array.IndexOf(meta, (byte)'?');
        (meta[q], meta[q + 1]) = (0xE2, 0x82);
        WriteSafeTensors(path, meta, new byte[4]);
        e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains($"at header offset {q}, after 'caf'", e.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_torch_pickle_string_is_refused_saying_where()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("badname.pt");
        var name = Encoding.UTF8.GetBytes("blocks.0.w?x");
        name[Array.IndexOf(name, (byte)'?')] = 0xC3; // a lead byte followed by 'x'
        var len = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, name.Length);
        var p = new PickleBuilder().Proto().EmptyDict().Op((byte)'X').Raw(len).Raw(name)
            .Tensor("FloatStorage", "0", 1, 0, [1], [1]).SetItem().Stop().ToArray();
        TorchZipWriter.Write(path, p, new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1) });
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains($"not valid UTF-8: byte 0xC3 at offset 10 of a {name.Length}-byte string, after 'blocks.0.w'", e.Message);
        Assert.DoesNotContain("Unable to translate", e.Message);
    }

    [Fact]
    public void Duplicate_safetensors_tensor_names_are_refused_with_the_file()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("dup.safetensors");
        WriteSafeTensors(path, Json("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"""), new byte[8]);
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains("tensor 'w' twice", e.Message);
    }

    [Fact]
    public void Zip_with_two_data_pkl_records_is_refused_with_the_file()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("two.pt");
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(path), System.IO.Compression.ZipArchiveMode.Create))
            foreach (var top in new[] { "a", "b" })
                using (var s = zip.CreateEntry(top + "/data.pkl").Open())
                    s.Write(new PickleBuilder().Proto().EmptyDict().Stop().ToArray());
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains("2 data.pkl records", e.Message);
    }

    /// <summary>The same small checkpoint in each format: tensors a [2,3] F32 and b [4] I64.</summary>
    private static string Small(FixturePaths.TempDir dir, string format)
    {
        var path = dir.File("small." + format);
        var a = TorchZipWriter.Floats(1, 2, 3, 4, 5, 6);
        var b = new long[] { 1, 2, 3, 4 }.SelectMany(BitConverter.GetBytes).ToArray();
        switch (format)
        {
            case "safetensors":
                WriteSafeTensors(path, Json("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"I64","shape":[4],"data_offsets":[24,56]}}"""), [.. a, .. b]);
                break;
            case "torch-zip":
                TorchZipWriter.Write(path, new PickleBuilder().Proto().EmptyDict()
                    .Str("a").Tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1]).SetItem()
                    .Str("b").Tensor("LongStorage", "1", 4, 0, [4], [1]).SetItem().Stop().ToArray(),
                    new Dictionary<string, byte[]> { ["0"] = a, ["1"] = b });
                break;
            default:
                var p = new PickleBuilder().Proto().EmptyDict().Str("a");
                TorchLegacyWriter.Tensor(p, "FloatStorage", "0", 6, [2, 3], [3, 1]).SetItem().Str("b");
                TorchLegacyWriter.Tensor(p, "LongStorage", "1", 4, [4], [1]).SetItem();
                TorchLegacyWriter.Write(path, p.Stop().ToArray(), [("0", 6, a), ("1", 4, b)]);
                break;
        }
        return path;
    }

    public static TheoryData<string> Formats => new() { "safetensors", "torch-zip", "torch-legacy" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_format_plans_before_reading_the_limit_and_the_validator_apply(string format)
    {
        using var dir = new FixturePaths.TempDir();
        var path = Small(dir, format);

        CheckpointPlan? plan = null;
        using (var sd = CheckpointLoader.Load(path, new CheckpointLoadOptions { Validate = p => plan = p }))
            Assert.Equal(["a", "b"], sd.Keys);
        Assert.NotNull(plan);
        Assert.Equal(path, plan.Path);
        Assert.Equal(format, plan.Format);
        Assert.Equal(56, plan.TotalBytes);
        Assert.Equal([("a", "F32", 24L), ("b", "I64", 32L)], plan.Tensors.Select(t => (t.Name, t.DType, t.Bytes)));
        Assert.Equal([2L, 3], plan.Tensors[0].Shape);

        var e = Refused(path, new CheckpointLoadOptions { Limits = new CheckpointLimits { MaxTotalBytes = 55 } });
        Assert.Contains(path, e.Message);
        Assert.Contains("declare 56 bytes in all, more than the 55-byte limit", e.Message);

        var v = Refused(path, new CheckpointLoadOptions
        {
            Validate = p => throw new CheckpointFormatException($"{p.Path}: expected a ViT, got {string.Join(",", p.Tensors.Select(t => t.Name))}"),
        });
        Assert.Equal($"{path}: expected a ViT, got a,b", v.Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Random_byte_flips_either_load_or_throw_a_format_error(string format)
    {
        using var dir = new FixturePaths.TempDir();
        var original = File.ReadAllBytes(Small(dir, format));
        var rng = new Random(format.Length * 7919);
        int loaded = 0, refused = 0;
        for (int i = 0; i < 300; i++)
        {
            var bytes = (byte[])original.Clone();
            for (int f = rng.Next(1, 4); f > 0; f--) bytes[rng.Next(bytes.Length)] ^= (byte)rng.Next(1, 256);
            var path = dir.File($"f{i}.{format}");
            File.WriteAllBytes(path, bytes);
            try
            {
                using var sd = CheckpointLoader.Load(path);
                loaded++;
            }
            catch (CheckpointFormatException e)
            {
                Assert.Contains(path, e.Message);
                refused++;
            }
            File.Delete(path);
        }
        Assert.Equal(300, loaded + refused);
        Assert.True(refused > 0);
    }
}
