using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Inversion;
using Portal.Engine.Text;
using Portal.Tests.Encoders;

namespace Portal.Tests.Inversion;

/// <summary>Text inversion on the ViT-B/32 mini fixture: the image tower climbs toward the same checkpoint's text embeddings.</summary>
public class TextInversionTests
{
    [Fact]
    public void Images_move_toward_the_text_embedding()
    {
        var ckpt = EncoderFixtures.File("openclip-vit-b32-mini", "model.safetensors");
        using var encoder = EncoderLoader.Load(ckpt);
        using var text = ClipTextLoader.Load(ckpt, new ClipTextLoadOptions { Heads = 2 });
        using var expected = SafeTensors.Load(EncoderFixtures.File("openclip-vit-b32-mini", "expected.safetensors"));
        using var targets = text.Encode(expected["text_tokens"]);
        var results = FeatureInversion.Run(encoder, targets, new InversionSettings { Iterations = 8, Seeds = [0], BatchSize = 3 });
        try
        {
            Assert.Equal(3, results.Count);
            foreach (var r in results)
            {
                Assert.True(r.FinalCosine > r.StartCosine + 0.05, $"prompt {r.Target}: {r.StartCosine:F4} → {r.FinalCosine:F4}");
                Assert.True(r.DeltaL2 <= 100 + 1e-3);
                Assert.Equal(new long[] { 3, 224, 224 }, r.Image.shape);
                Assert.True(r.Image.min().item<float>() >= 0f && r.Image.max().item<float>() <= 1f);
            }
        }
        finally { results.ForEach(r => r.Dispose()); }
    }
}
