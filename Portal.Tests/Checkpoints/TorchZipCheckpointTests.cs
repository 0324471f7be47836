using Portal.Engine.Checkpoints;
using Portal.Tests.Support;
using TorchSharp;

namespace Portal.Tests.Checkpoints;

public class TorchZipCheckpointTests
{
    private static string Fixture(string file) => Path.Combine(FixturePaths.Encoder("openclip-convnext-mini"), file);

    [Fact]
    public void Model_bin_loads_bitwise_identical_to_model_safetensors()
    {
        using var bin = CheckpointLoader.Load(Fixture("model.bin"));
        using var st = CheckpointLoader.Load(Fixture("model.safetensors"));
        Assert.Equal(st.Keys, bin.Keys);
        foreach (var k in st.Keys)
        {
            Assert.Equal(st[k].shape, bin[k].shape);
            Assert.Equal(st[k].dtype, bin[k].dtype);
            Assert.True(st[k].bytes.SequenceEqual(bin[k].bytes), $"tensor '{k}' differs");
        }
        Assert.Equal("torch-zip", bin.Metadata["format"]);
    }

    [Fact]
    public void Detects_formats_by_bytes_not_extension()
    {
        using var dir = new FixturePaths.TempDir();
        var disguised = dir.File("weights.safetensors");
        File.Copy(Fixture("model.bin"), disguised);
        Assert.Equal(CheckpointLoader.Kind.TorchZip, CheckpointLoader.Detect(disguised));
        Assert.Equal(CheckpointLoader.Kind.SafeTensors, CheckpointLoader.Detect(Fixture("model.safetensors")));
        File.WriteAllText(dir.File("x.bin"), "hello");
        Assert.Equal(CheckpointLoader.Kind.Unrecognised, CheckpointLoader.Detect(dir.File("x.bin")));
    }
}
