using Portal.Engine.Encoders;
using static TorchSharp.torch;

namespace Portal.Engine.Metric;

/// <summary>The perceptual model an encoder induces: sim = cos(φ(x1), φ(x2)), d = sqrt(1 − sim).</summary>
public sealed class EncoderMetric(IImageEncoder encoder, string? name = null, bool ownsEncoder = true) : IPerceptualModel
{
    public IImageEncoder Encoder { get; } = encoder;
    public string Name { get; } = name ?? encoder.Info.Architecture;
    public Preprocessing Preprocessing => Encoder.Info.Preprocessing;
    public Device Device => Encoder.Device;

    public Tensor Embed(Tensor pixels) => Encoder.Forward(pixels);

    public Tensor Similarity(Tensor a, Tensor b) => nn.functional.cosine_similarity(a, b, dim: 1, eps: 1e-8);

    public static Tensor Distance(Tensor similarity) => (1 - similarity).clamp_min(0).sqrt();

    public void Dispose()
    {
        if (ownsEncoder) Encoder.Dispose();
    }
}
