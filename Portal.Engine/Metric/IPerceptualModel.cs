using Portal.Engine.Encoders;
using static TorchSharp.torch;

namespace Portal.Engine.Metric;

/// <summary>
/// Anything the benchmark tasks can score: an embedding function plus a row-wise similarity
/// (higher = more similar). Encoders use cosine similarity of their embeddings; pixel baselines
/// (L2, SSIM) use the pixels themselves as the "embedding". Both are differentiable, so every model
/// can be attacked the same way.
/// </summary>
public interface IPerceptualModel : IDisposable
{
    string Name { get; }
    Preprocessing Preprocessing { get; }
    Device Device { get; }

    /// <summary>N×3×H×W pixels in [0,1] at the model's input size → N×… representation.</summary>
    Tensor Embed(Tensor pixels);

    /// <summary>Row-wise similarity of two batches of representations → N.</summary>
    Tensor Similarity(Tensor a, Tensor b);
}
