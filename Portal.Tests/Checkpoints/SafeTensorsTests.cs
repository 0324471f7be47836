using Portal.Engine.Checkpoints;
using Portal.Tests.Support;
using TorchSharp;

namespace Portal.Tests.Checkpoints;

public class SafeTensorsTests
{
    [Fact]
    public void Reads_fixture_checkpoint_in_state_dict_order()
    {
        using var sd = SafeTensors.Load(Path.Combine(FixturePaths.Encoder("openclip-convnext-mini"), "model.safetensors"));
        Assert.Equal(82, sd.Count);
        Assert.Equal(322129, sd.ParameterCount);
        Assert.Equal(0, sd["logit_scale"].dim());
        Assert.Equal(new long[] { 16, 3, 4, 4 }, sd["visual.trunk.stem.0.weight"].shape);
    }

    [Fact]
    public void Round_trips_through_writer()
    {
        using var dir = new FixturePaths.TempDir();
        var a = torch.randn(3, 4);
        var b = torch.arange(5, dtype: torch.ScalarType.Int64);
        SafeTensors.Save(dir.File("x.safetensors"), [new("a", a), new("b", b)], new Dictionary<string, string> { ["note"] = "hi" });
        using var sd = SafeTensors.Load(dir.File("x.safetensors"));
        Assert.True(sd["a"].eq(a).all().item<bool>());
        Assert.True(sd["b"].eq(b).all().item<bool>());
        Assert.Equal("hi", sd.Metadata["note"]);
    }
}
