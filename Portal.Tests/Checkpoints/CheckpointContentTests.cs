using System.Buffers.Binary;
using Portal.Engine.Checkpoints;
using Portal.Engine.Checkpoints.Pickle;
using Portal.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Checkpoints;

/// <summary>What the torch readers build: strided views, shared storages, dtypes, wrappers, legacy format, numpy plain data.</summary>
public class CheckpointContentTests
{
    private static bool Same(Tensor a, Tensor b)
    {
        using var ca = a.contiguous();
        using var cb = b.contiguous();
        return a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && ca.bytes.SequenceEqual(cb.bytes);
    }

    [Fact]
    public void Non_contiguous_views_and_shared_storages_become_independent_tensors()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("views.pt");
        // One storage 0..11; 't' is its 3×4 transpose (stride 1,4 over a 4×3 layout), 'tail' shares it from offset 6.
        var pkl = new PickleBuilder().Proto().EmptyDict()
            .Str("t").Tensor("FloatStorage", "s", 12, 0, [3, 4], [1, 3]).SetItem()
            .Str("tail").Tensor("FloatStorage", "s", 12, 6, [2, 3], [3, 1]).SetItem()
            .Stop().ToArray();
        TorchZipWriter.Write(path, pkl, new Dictionary<string, byte[]> { ["s"] = TorchZipWriter.Floats(Enumerable.Range(0, 12).Select(i => (float)i).ToArray()) });
        using var sd = CheckpointLoader.Load(path);
        using var expectedT = arange(12, dtype: float32).reshape(4, 3).t();
        Assert.True(Same(sd["t"], expectedT));
        Assert.True(sd["t"].is_contiguous());
        using var expectedTail = arange(6, 12, dtype: float32).reshape(2, 3);
        Assert.True(Same(sd["tail"], expectedTail));
        sd["tail"].add_(100); // owned copies: writing one leaves the other alone
        Assert.True(Same(sd["t"], expectedT));
    }

    [Fact]
    public void Half_bfloat16_double_and_integer_storages_are_read()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("dtypes.pt");
        using var h = tensor(new float[] { 1.5f, -2.25f }).to(float16);
        using var bf = tensor(new float[] { 3.0f, 0.5f }).to(bfloat16);
        using var d = tensor(new double[] { Math.PI, Math.E });
        using var l = tensor(new long[] { -7, 1L << 40 });
        var pkl = new PickleBuilder().Proto().EmptyDict()
            .Str("h").Tensor("HalfStorage", "0", 2, 0, [2], [1]).SetItem()
            .Str("bf").Tensor("BFloat16Storage", "1", 2, 0, [2], [1]).SetItem()
            .Str("d").Tensor("DoubleStorage", "2", 2, 0, [2], [1]).SetItem()
            .Str("l").Tensor("LongStorage", "3", 2, 0, [2], [1]).SetItem()
            .Str("scalar").Tensor("FloatStorage", "4", 1, 0, [], []).SetItem()
            .Stop().ToArray();
        TorchZipWriter.Write(path, pkl, new Dictionary<string, byte[]>
        {
            ["0"] = h.bytes.ToArray(), ["1"] = bf.bytes.ToArray(), ["2"] = d.bytes.ToArray(), ["3"] = l.bytes.ToArray(), ["4"] = TorchZipWriter.Floats(4.5f),
        });
        using (var kept = CheckpointLoader.Load(path, new CheckpointLoadOptions { FloatType = null }))
        {
            Assert.Equal(ScalarType.Float16, kept["h"].dtype);
            Assert.True(Same(kept["h"], h));
            Assert.True(Same(kept["bf"], bf));
            Assert.True(Same(kept["d"], d));
        }
        using var sd = CheckpointLoader.Load(path);
        Assert.Equal(ScalarType.Float32, sd["h"].dtype);
        Assert.Equal(new[] { 1.5f, -2.25f }, sd["h"].data<float>().ToArray());
        Assert.Equal(new[] { 3.0f, 0.5f }, sd["bf"].data<float>().ToArray());
        Assert.Equal(ScalarType.Int64, sd["l"].dtype);
        Assert.Equal(new[] { -7L, 1L << 40 }, sd["l"].data<long>().ToArray());
        Assert.Equal(0, sd["scalar"].dim());
        Assert.Equal(4.5f, sd["scalar"].item<float>());
    }

    private static PickleBuilder TwoTensorDict(PickleBuilder p, string prefix) =>
        p.EmptyDict().Mark()
            .Str(prefix + "a").Tensor("FloatStorage", "0", 2, 0, [2], [1])
            .Str(prefix + "b").Tensor("FloatStorage", "1", 1, 0, [1], [1])
            .SetItems();

    private static StateDict LoadWrapped(FixturePaths.TempDir dir, Func<PickleBuilder, PickleBuilder> body)
    {
        var path = dir.File(Guid.NewGuid().ToString("N") + ".pth");
        TorchZipWriter.Write(path, body(new PickleBuilder().Proto()).Stop().ToArray(), new Dictionary<string, byte[]>
        {
            ["0"] = TorchZipWriter.Floats(1, 2), ["1"] = TorchZipWriter.Floats(3), ["2"] = TorchZipWriter.Floats(9),
        });
        return CheckpointLoader.Load(path);
    }

    [Fact]
    public void State_dict_wrapper_and_module_prefix_are_unwrapped_and_extras_reported()
    {
        using var dir = new FixturePaths.TempDir();
        using var sd = LoadWrapped(dir, p => TwoTensorDict(p.EmptyDict().Str("epoch").Int(32).SetItem().Str("state_dict"), "module.").SetItem());
        Assert.Equal(["a", "b"], sd.Keys);
        Assert.Equal(new[] { 1f, 2f }, sd["a"].data<float>().ToArray());
        Assert.Equal("state_dict", sd.Metadata["unwrapped"]);
        Assert.Equal("module.", sd.Metadata["stripped_prefixes"]);
        Assert.Contains("epoch", sd.Metadata["ignored_next_to_state_dict"]);

        using var model = LoadWrapped(dir, p => TwoTensorDict(p.EmptyDict().Str("model"), "").SetItem());
        Assert.Equal("model", model.Metadata["unwrapped"]);
        Assert.Equal(["a", "b"], model.Keys);
    }

    [Fact]
    public void Dino_checkpoint_takes_the_teacher_backbone_and_ignores_training_state()
    {
        using var dir = new FixturePaths.TempDir();
        using var sd = LoadWrapped(dir, p =>
        {
            p.EmptyDict().Mark();
            TwoTensorDict(p.Str("student"), "module.backbone.");
            p.Str("teacher").EmptyDict().Mark()
                .Str("backbone.cls_token").Tensor("FloatStorage", "0", 2, 0, [2], [1])
                .Str("backbone.pos_embed").Tensor("FloatStorage", "1", 1, 0, [1], [1])
                .Str("head.last_layer.weight").Tensor("FloatStorage", "2", 1, 0, [1], [1])
                .SetItems();
            p.Str("epoch").Int(100);
            p.Str("args").Global("argparse", "Namespace").EmptyTuple().NewObj()
                .EmptyDict().Str("arch").Str("vit_base").SetItem().Str("lr").Float(0.0005).SetItem().Build();
            return p.SetItems();
        });
        Assert.Equal(["cls_token", "pos_embed"], sd.Keys);
        Assert.Equal("teacher", sd.Metadata["unwrapped"]);
        Assert.Equal("backbone.", sd.Metadata["stripped_prefixes"]);
        Assert.Contains("head.last_layer.weight", sd.Metadata["dropped_non_backbone"]);
        Assert.Contains("args", sd.Metadata["ignored_next_to_teacher"]);
    }

    [Fact]
    public void Non_tensor_entries_are_reported_and_a_dict_without_tensors_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        using var sd = LoadWrapped(dir, p => p.EmptyDict()
            .Str("w").Tensor("FloatStorage", "1", 1, 0, [1], [1]).SetItem()
            .Str("note").Str("hello").SetItem());
        Assert.Equal(["w"], sd.Keys);
        Assert.Contains("'note' (str)", sd.Metadata["ignored_entries"]);

        var e = Assert.Throws<CheckpointFormatException>(() => LoadWrapped(dir, p => p.EmptyDict().Str("epoch").Int(3).SetItem()));
        Assert.Contains("no tensors found", e.Message);
        Assert.Contains("'epoch'", e.Message);
        e = Assert.Throws<CheckpointFormatException>(() => LoadWrapped(dir, p => p.EmptyList()));
        Assert.Contains("holds a list", e.Message);
    }

    [Fact]
    public void Legacy_torch_save_format_is_read()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("legacy.pth");
        using var f = File.Create(path);
        f.Write(new PickleBuilder().Proto().Raw(0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).Stop().ToArray());
        f.Write(new PickleBuilder().Proto().Int(1001).Stop().ToArray());
        f.Write(new PickleBuilder().Proto().EmptyDict().Str("protocol_version").Int(1001).SetItem().Str("little_endian").Bool(true).SetItem().Stop().ToArray());
        // Legacy persistent ids carry a sixth element, view_metadata (None).
        var main = new PickleBuilder().Proto().EmptyDict().Str("state_dict").EmptyDict().Str("w")
            .Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Mark().Str("storage").Global("torch", "FloatStorage").Str("94001").Str("cpu").Int(4).None().Tuple().BinPersId()
            .Int(0).IntTuple(2, 2).IntTuple(2, 1).Bool(false).Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Tuple().Reduce().SetItem().SetItem().Stop();
        f.Write(main.ToArray());
        f.Write(new PickleBuilder().Proto().EmptyList().Str("94001").Append().Stop().ToArray());
        var n = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(n, 4);
        f.Write(n);
        f.Write(TorchZipWriter.Floats(1, 2, 3, 4));
        f.Close();

        Assert.Equal(CheckpointLoader.Kind.LegacyPickle, CheckpointLoader.Detect(path));
        using var sd = CheckpointLoader.Load(path);
        Assert.Equal(["w"], sd.Keys);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, sd["w"].data<float>().ToArray());
        Assert.Equal("torch-legacy", sd.Metadata["format"]);

        var cut = File.ReadAllBytes(path)[..^6];
        File.WriteAllBytes(path, cut);
        Assert.Contains("truncated", Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path)).Message);
    }

    /// <summary>numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') + BUILD, as pickle protocol 2 writes a numpy array.</summary>
    private static PickleBuilder NumpyArray(PickleBuilder p, string dtype, long[] shape, byte[] data)
    {
        p.Global("numpy.core.multiarray", "_reconstruct").Global("numpy", "ndarray").Int(0).Tuple1()
            .Global("_codecs", "encode").Str("b").Str("latin1").Tuple2().Reduce().Tuple3().Reduce();
        p.Mark().Int(1).IntTuple(shape)
            .Global("numpy", "dtype").Str(dtype).Bool(false).Bool(true).Tuple3().Reduce()
            .Mark().Int(3).Str("<").None().None().None().Int(-1).Int(-1).Int(0).Tuple().Build()
            .Bool(false)
            .Global("_codecs", "encode").Str(new string(data.Select(b => (char)b).ToArray())).Str("latin1").Tuple2().Reduce()
            .Tuple().Build();
        return p;
    }

    [Fact]
    public void Numpy_ground_truth_pickle_loads_as_plain_data()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("gnd_roxford5k.pkl");
        var bbx = new[] { 10.5, 20.0, 110.25, 220.0 }.SelectMany(BitConverter.GetBytes).ToArray();
        var easy = new long[] { 3, 17, 42 }.SelectMany(BitConverter.GetBytes).ToArray();
        var p = new PickleBuilder().Proto().EmptyDict()
            .Str("imlist").EmptyList().Str("all_souls_000013").Append().Str("oxford_002985").Append().SetItem()
            .Str("gnd").EmptyList().EmptyDict().Str("bbx");
        NumpyArray(p, "f8", [4], bbx).SetItem().Str("easy");
        NumpyArray(p, "i8", [3], easy).SetItem().Str("score")
            .Global("numpy.core.multiarray", "scalar").Global("numpy", "dtype").Str("f8").Bool(false).Bool(true).Tuple3().Reduce()
            .Mark().Int(3).Str("<").None().None().None().Int(-1).Int(-1).Int(0).Tuple().Build()
            .Global("_codecs", "encode").Str(new string(BitConverter.GetBytes(0.75).Select(b => (char)b).ToArray())).Str("latin1").Tuple2().Reduce()
            .Tuple2().Reduce().SetItem()
            .Append().SetItem();
        File.WriteAllBytes(path, p.Stop().ToArray());

        var data = Assert.IsType<OrderedDictionary<object, object?>>(PickleReader.LoadPlainData(path));
        Assert.Equal(new object[] { "all_souls_000013", "oxford_002985" }, Assert.IsType<List<object?>>(data["imlist"]));
        var q = Assert.IsType<OrderedDictionary<object, object?>>(Assert.Single(Assert.IsType<List<object?>>(data["gnd"])));
        var box = Assert.IsType<NumpyArray>(q["bbx"]);
        Assert.Equal("<f8", box.DType);
        Assert.Equal(new long[] { 4 }, box.Shape);
        Assert.Equal(new[] { 10.5, 20.0, 110.25, 220.0 }, box.ToDoubles());
        Assert.Equal(new double[] { 3, 17, 42 }, Assert.IsType<NumpyArray>(q["easy"]).ToDoubles());
        Assert.Equal(0.75, q["score"]);
    }

    [Fact]
    public void Numpy_array_whose_data_disagrees_with_its_shape_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("bad.pkl");
        File.WriteAllBytes(path, NumpyArray(new PickleBuilder().Proto(), "f8", [5], new byte[16]).Stop().ToArray());
        Assert.Contains("needs 40 bytes but holds 16", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);
        File.WriteAllBytes(path, NumpyArray(new PickleBuilder().Proto(), "O", [1], new byte[8]).Stop().ToArray());
        Assert.Contains("'O'", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path)).Message);
    }
}
