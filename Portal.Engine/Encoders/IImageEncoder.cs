using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders;

/// <summary>
/// An image encoder φ. <see cref="Forward"/> takes N×3×H×W float32 pixels in [0,1] that already went through
/// <see cref="EncoderInfo.Preprocessing"/> (resize/crop), applies the model's own mean/std normalisation and
/// returns N×D embeddings, not L2-normalised. Differentiable with respect to the pixels.
/// </summary>
public interface IImageEncoder : IDisposable
{
    EncoderInfo Info { get; }
    Device Device { get; }
    Tensor Forward(Tensor pixels);
}

/// <summary>What the engine knows about a loaded encoder; serialisable into results and the CLI's inspect output.</summary>
public sealed record EncoderInfo(
    string Architecture,
    string Format,
    int EmbeddingDim,
    long ParameterCount,
    Preprocessing Preprocessing)
{
    public IReadOnlyList<string> MissingKeys { get; init; } = [];
    public IReadOnlyList<string> UnexpectedKeys { get; init; } = [];
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}
