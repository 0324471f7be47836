using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Encoders;

/// <summary>Native towers reproduce the canonical Python embeddings of every fixture case (README tolerance 1e-5 relative).</summary>
public class EncoderParityTests
{
    public static TheoryData<string> Cases => new(EncoderFixtures.Cases);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Embeddings_match_the_reference(string caseName)
    {
        using var encoder = EncoderLoader.Load(EncoderFixtures.File(caseName, "model.safetensors"));
        using var expected = SafeTensors.Load(EncoderFixtures.File(caseName, "expected.safetensors"));
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            var got = encoder.Forward(EncoderFixtures.Images(caseName));
            var err = EncoderFixtures.RelativeError(got, expected["embeddings"]);
            Assert.True(err <= EncoderFixtures.Tolerance, $"{caseName}: relative error {err:E2}");
            if (expected.Contains("embeddings_alt"))
            {
                var alt = encoder.Forward(EncoderFixtures.Images(caseName, "inputs_alt"));
                var errAlt = EncoderFixtures.RelativeError(alt, expected["embeddings_alt"]);
                Assert.True(errAlt <= EncoderFixtures.Tolerance, $"{caseName} alt: relative error {errAlt:E2}");
            }
        }
        Assert.Empty(encoder.Info.MissingKeys);
        Assert.Empty(encoder.Info.UnexpectedKeys);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Normalisation_matches_the_reference_bytes(string caseName)
    {
        using var encoder = (NativeEncoder)EncoderLoader.Load(EncoderFixtures.File(caseName, "model.safetensors"));
        using var debug = SafeTensors.Load(EncoderFixtures.File(caseName, "debug.safetensors"));
        using var scope = torch.NewDisposeScope();
        var x = encoder.Normalize(EncoderFixtures.Images(caseName)[..1])[.., .., ..32, ..32];
        Assert.True(x.equal(debug["normalized_input_top_left_32x32"]).all().item<bool>(), "normalised input is not bit-identical to the reference");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Intermediates_match_the_reference(string caseName)
    {
        using var encoder = (NativeEncoder)EncoderLoader.Load(EncoderFixtures.File(caseName, "model.safetensors"));
        using var debug = SafeTensors.Load(EncoderFixtures.File(caseName, "debug.safetensors"));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = encoder.Normalize(EncoderFixtures.Images(caseName)[..1]);
        var trace = encoder.Tower switch
        {
            OpenClipConvNextTower c => c.Trace(x).ToDictionary(kv => "visual." + kv.Key, kv => kv.Value),
            OpenClipVitTower v => v.Trace(x).ToDictionary(kv => "visual." + kv.Key, kv => kv.Value),
            DinoVitTower d => d.Trace(x),
            Dinov2VitTower d2 => d2.Trace(x),
            _ => throw new InvalidOperationException(),
        };
        int compared = 0;
        foreach (var (name, value) in trace)
        {
            if (!debug.Contains(name)) continue;
            var err = EncoderFixtures.RelativeError(value, debug[name]);
            Assert.True(err <= EncoderFixtures.Tolerance, $"{caseName} {name}: relative error {err:E2}");
            compared++;
        }
        Assert.True(compared >= 3, $"only {compared} intermediates compared");
    }

    [Fact]
    public void Dino_position_embedding_is_interpolated_like_dino_for_160x256()
    {
        const string name = "dino-vitb16-mini";
        using var encoder = (NativeEncoder)EncoderLoader.Load(EncoderFixtures.File(name, "model.safetensors"));
        using var debug = SafeTensors.Load(EncoderFixtures.File(name, "debug.safetensors"));
        var dino = (DinoVitTower)encoder.Tower;
        using var pe = dino.PositionEmbedding(160, 256);
        var err = EncoderFixtures.RelativeError(pe, debug["alt.interpolated_pos_embed_160x256"]);
        Assert.True(err <= EncoderFixtures.Tolerance, $"relative error {err:E2}");
        // 224×224 is the identity; another square size is interpolated too.
        using var same = dino.PositionEmbedding(224, 224);
        Assert.Equal(new long[] { 1, 197, 64 }, same.shape);
        using var bigger = dino.PositionEmbedding(256, 256);
        Assert.Equal(new long[] { 1, 257, 64 }, bigger.shape);
    }

    [Fact]
    public void Bin_and_safetensors_give_identical_weights_and_embeddings()
    {
        const string name = "openclip-convnext-mini";
        using var a = (NativeEncoder)EncoderLoader.Load(EncoderFixtures.File(name, "model.safetensors"));
        using var b = (NativeEncoder)EncoderLoader.Load(EncoderFixtures.File(name, "model.bin"));
        var pa = a.Tower.named_parameters().ToList();
        var pb = b.Tower.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (n, p) in pa) Assert.True(p.equal(pb[n]).all().item<bool>(), $"{n} differs between model.bin and model.safetensors");
        Assert.Equal("pytorch-zip", b.Info.Format);
        Assert.Equal("safetensors", a.Info.Format);
    }
}
