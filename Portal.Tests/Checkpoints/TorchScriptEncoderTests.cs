using System.IO.Compression;
using System.Text;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Checkpoints;

/// <summary>
/// TorchSharp cannot create TorchScript modules and there is no Python torch here, so the test writes a minimal
/// torch.jit.save archive by hand: code/__torch__.py (the class source libtorch compiles), data.pkl (the module
/// object with its weight tensor), constants.pkl, version.
/// </summary>
public class TorchScriptEncoderTests
{
    internal const string ProbeCode = """
class Probe(Module):
  __parameters__ = ["weight", ]
  __buffers__ = []
  weight : Tensor
  training : bool
  def forward(self: __torch__.Probe,
    images: Tensor) -> Tensor:
    x = torch.div(torch.sub(images, 0.5), 0.25)
    pooled = torch.mean(x, [2, 3])
    return torch.matmul(pooled, self.weight)

""";

    /// <summary>Writes the archive; weight is 3×<paramref name="dim"/>. Returns the weight used.</summary>
    internal static float[] WriteProbe(string path, int dim = 4, string? code = null, bool withConstants = true)
    {
        var weight = Enumerable.Range(0, 3 * dim).Select(i => (float)(i % 5) - 1.5f).ToArray();
        var pkl = new PickleBuilder().Proto().Global("__torch__", "Probe").EmptyTuple().NewObj()
            .EmptyDict().Mark()
            .Str("training").Bool(false)
            .Str("weight").Tensor("FloatStorage", "0", 3 * dim, 0, [3, dim], [dim, 1])
            .SetItems().Build().Stop().ToArray();
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        void Add(string name, byte[] data)
        {
            using var s = zip.CreateEntry("probe/" + name, CompressionLevel.NoCompression).Open();
            s.Write(data);
        }
        Add("data.pkl", pkl);
        Add("code/__torch__.py", Encoding.UTF8.GetBytes(code ?? ProbeCode));
        if (withConstants) Add("constants.pkl", new PickleBuilder().Proto().EmptyTuple().Stop().ToArray());
        Add("data/0", TorchZipWriter.Floats(weight));
        Add("version", "3\n"u8.ToArray());
        return weight;
    }

    private static readonly EncoderLoadOptions Allowed = new() { AllowTorchScript = true };

    [Fact]
    public void Hand_built_torchscript_module_runs_as_an_encoder_with_gradients()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("probe.pt");
        var weight = WriteProbe(path);
        File.WriteAllText(path + ".json", """{"image_size": [24, 32], "resize": "squash", "interpolation": "bilinear", "embedding_dim": 4, "name": "probe"}""");

        Assert.Equal(CheckpointLoader.Kind.TorchScript, CheckpointLoader.Detect(path));
        using var enc = TorchScriptEncoder.Load(path, Allowed);
        Assert.Equal(4, enc.Info.EmbeddingDim);
        Assert.Equal("probe", enc.Info.Architecture);
        Assert.Equal(12, enc.Info.ParameterCount);
        Assert.Equal(24, enc.Info.Preprocessing.ImageHeight);
        Assert.Equal(32, enc.Info.Preprocessing.ImageWidth);
        Assert.Equal(ResizeMode.Squash, enc.Info.Preprocessing.Mode);

        using var scope = NewDisposeScope();
        using var gradMode = enable_grad();
        manual_seed(3);
        var pixels = rand(2, 3, 24, 32).requires_grad_(true);
        var y = enc.Forward(pixels);
        var expected = ((pixels - 0.5f) / 0.25f).mean([2, 3]).matmul(tensor(weight).reshape(3, 4));
        Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-5));
        var grad = autograd.grad([y.sum()], [pixels])[0];
        Assert.True(grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Torchscript_is_refused_unless_allowed_and_is_not_a_state_dict()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("probe.pt");
        WriteProbe(path);
        File.WriteAllText(path + ".json", """{"image_size": 32}""");
        var e = Assert.Throws<CheckpointFormatException>(() => TorchScriptEncoder.Load(path, new EncoderLoadOptions()));
        Assert.Contains("--allow-torchscript", e.Message);
        e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path));
        Assert.Contains("TorchScript module", e.Message);
        Assert.Contains("AllowTorchScript", e.Message);
    }

    [Fact]
    public void Encoder_loader_routes_torchscript_to_the_generic_encoder_only_when_allowed()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("probe.pt");
        WriteProbe(path);
        File.WriteAllText(path + ".json", """{"image_size": 32, "name": "probe"}""");
        Assert.Contains("--allow-torchscript",
            Assert.Throws<CheckpointFormatException>(() => EncoderLoader.Load(path, new EncoderLoadOptions())).Message);
        using var enc = EncoderLoader.Load(path, Allowed);
        Assert.IsType<TorchScriptEncoder>(enc);
        Assert.Equal(4, enc.Info.EmbeddingDim);
    }

    [Theory]
    [InlineData(null, "sidecar")]
    [InlineData("{\"image_size\": 32, \"resize\": \"stretch\"}", "'resize' is 'stretch'")]
    [InlineData("{\"image_size\": -3}", "image size must be an integer")]
    [InlineData("{\"imagesize\": 32}", "unknown key 'imagesize'")]
    [InlineData("{\"image_size\": 32, \"embedding_dim\": 7}", "embedding_dim 7")]
    [InlineData("not json", "not valid JSON")]
    public void Missing_or_invalid_sidecar_is_a_clear_error(string? sidecar, string expected)
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("probe.pt");
        WriteProbe(path);
        if (sidecar != null) File.WriteAllText(path + ".json", sidecar);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchScriptEncoder.Load(path, Allowed));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Damaged_archives_are_refused_before_libtorch_sees_them()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("probe.pt");
        WriteProbe(path);
        File.WriteAllText(path + ".json", """{"image_size": 32}""");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Throws<CheckpointFormatException>(() => TorchScriptEncoder.Load(path, Allowed));

        // A state-dict zip is not a TorchScript module.
        Assert.Contains("not a TorchScript module",
            Assert.Throws<CheckpointFormatException>(() => TorchScriptEncoder.Load(Path.Combine(FixturePaths.Encoder("openclip-convnext-mini"), "model.bin"), Allowed)).Message);
    }

    // A script that fails to compile (unknown op) makes libtorch throw torch::jit::ErrorReport through the native
    // boundary, which terminates the process: the portal loads TorchScript in a probe process first
    // (TorchScriptApprovalTests.A_module_that_crashes_libtorch_is_rejected_and_the_portal_keeps_running).
    [Fact]
    public void Script_returning_the_wrong_shape_is_a_format_error()
    {
        using var dir = new FixturePaths.TempDir();
        var shape = dir.File("shape.pt");
        WriteProbe(shape, code: ProbeCode.Replace("return torch.matmul(pooled, self.weight)", "return x"));
        File.WriteAllText(shape + ".json", """{"image_size": 32}""");
        Assert.Contains("N×D", Assert.Throws<CheckpointFormatException>(() => TorchScriptEncoder.Load(shape, Allowed)).Message);
    }
}
