using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Text;
using Portal.Tests.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Text;

/// <summary>The text tower reproduces open_clip's encode_text on the three CLIP fixture cases (1024-token remapped vocabulary).</summary>
public class ClipTextTowerParityTests
{
    public static TheoryData<string> Cases => new(["openclip-convnext-mini", "openclip-vit-b32-mini", "openclip-vit-b16-mini"]);

    // The fixtures' text tower has 2 heads of 16 (config.json → text.heads); released towers use width/64.
    private static readonly ClipTextLoadOptions Mini = new() { Heads = 2 };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Text_embeddings_match_the_reference(string caseName)
    {
        using var text = ClipTextLoader.Load(EncoderFixtures.File(caseName, "model.safetensors"), Mini);
        using var expected = SafeTensors.Load(EncoderFixtures.File(caseName, "expected.safetensors"));
        using var scope = torch.NewDisposeScope();
        var tokens = expected["text_tokens"];
        Assert.Equal(ScalarType.Int64, tokens.dtype);
        var got = text.Encode(tokens);
        var err = EncoderFixtures.RelativeError(got, expected["text_embeddings"]);
        Assert.True(err <= EncoderFixtures.Tolerance, $"{caseName}: relative error {err:E2}");
        Assert.Empty(text.MissingKeys);
        Assert.Empty(text.UnexpectedKeys);
        Assert.Equal(new ClipTextSpec(1024, 77, 32, 1, 2, 128, 32, false), text.Spec);
    }

    [Fact]
    public void Pooled_features_match_the_debug_trace()
    {
        // Pooling at argmax(ids) must pick the EOT row; the debug file holds the pooled rows before projection.
        using var text = ClipTextLoader.Load(EncoderFixtures.File("openclip-vit-b32-mini", "model.safetensors"), Mini);
        using var expected = SafeTensors.Load(EncoderFixtures.File("openclip-vit-b32-mini", "expected.safetensors"));
        using var debug = SafeTensors.Load(EncoderFixtures.File("openclip-vit-b32-mini", "debug.safetensors"));
        using var scope = torch.NewDisposeScope();
        var pooled = debug["text.pooled_before_projection"];
        var projected = pooled.matmul(text.Tower.named_parameters().Single(p => p.name == "text_projection").parameter);
        var err = EncoderFixtures.RelativeError(text.Encode(expected["text_tokens"]), projected);
        Assert.True(err <= EncoderFixtures.Tolerance, $"relative error {err:E2}");
    }

    [Fact]
    public void A_visual_only_checkpoint_is_refused_with_the_reason()
    {
        using var dir = new Support.FixturePaths.TempDir();
        using (var sd = SafeTensors.Load(EncoderFixtures.File("openclip-vit-b32-mini", "model.safetensors")))
        using (var visual = sd.TakePrefix("visual."))
            SafeTensors.Save(dir.File("visual.safetensors"), visual.Keys.Select(k => new KeyValuePair<string, Tensor>(k, visual[k])));
        var e = Assert.Throws<EncoderLoadException>(() => ClipTextLoader.Load(dir.File("visual.safetensors"), Mini));
        Assert.Contains("no text tower", e.Message);
        Assert.Contains("token_embedding.weight", e.Message);
    }

    [Fact]
    public void Missing_and_unexpected_text_keys_are_named_and_refused_unless_forced()
    {
        using var dir = new Support.FixturePaths.TempDir();
        using (var sd = SafeTensors.Load(EncoderFixtures.File("openclip-vit-b32-mini", "model.safetensors")))
        {
            var keep = sd.Keys.Where(k => k != "ln_final.bias").Select(k => new KeyValuePair<string, Tensor>(k, sd[k])).ToList();
            using var extra = torch.zeros(3);
            keep.Add(new("text_extra.weight", extra));
            SafeTensors.Save(dir.File("odd.safetensors"), keep);
        }
        var e = Assert.Throws<EncoderLoadException>(() => ClipTextLoader.Load(dir.File("odd.safetensors"), Mini));
        Assert.Contains("1 missing key(s): ln_final.bias", e.Message);
        Assert.Contains("1 unexpected key(s): text_extra.weight", e.Message);
        using var forced = ClipTextLoader.Load(dir.File("odd.safetensors"), Mini with { Force = true });
        Assert.Equal(["ln_final.bias"], forced.MissingKeys);
        Assert.Equal(["text_extra.weight"], forced.UnexpectedKeys);
    }

    [Fact]
    public void Heads_that_cannot_be_inferred_ask_for_the_option()
    {
        var e = Assert.Throws<EncoderLoadException>(() => ClipTextLoader.Load(EncoderFixtures.File("openclip-vit-b32-mini", "model.safetensors")));
        Assert.Contains("--text-heads", e.Message);
    }

    [Fact]
    public void Token_ids_outside_the_vocabulary_are_refused()
    {
        using var text = ClipTextLoader.Load(EncoderFixtures.File("openclip-vit-b32-mini", "model.safetensors"), Mini);
        using var ids = torch.zeros(1, 77, ScalarType.Int64);
        ids[0, 0] = 49406;
        var e = Assert.Throws<ArgumentException>(() => text.Encode(ids));
        Assert.Contains("[0, 1024)", e.Message);
    }
}
