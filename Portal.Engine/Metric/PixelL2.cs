using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Metric;

/// <summary>
/// Pixel-space baseline: the "embedding" is the image itself (at a fixed square size) and the similarity is the negative
/// mean squared pixel difference. Differentiable, so it is attacked exactly like an encoder.
/// </summary>
public sealed class PixelL2(int size = 224, Device? device = null) : IPerceptualModel
{
    public string Name => $"pixel-l2@{size}";
    public Preprocessing Preprocessing { get; } = Preprocessing.Identity(size);
    public Device Device { get; } = device ?? CPU;

    public Tensor Embed(Tensor pixels) => pixels.flatten(1);

    // Mean rather than sum keeps the value independent of the image size; 2AFC only compares the two similarities.
    public Tensor Similarity(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return (a.flatten(1) - b.flatten(1)).square().mean([1L]).neg().MoveToOuterDisposeScope();
    }

    public void Dispose() { }
}
