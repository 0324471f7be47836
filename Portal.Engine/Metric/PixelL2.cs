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
        // d·d, not square(): TorchSharp's square() is pow(2) with a temporary Scalar that nothing keeps alive across the
        // native call, and a worker once failed here with "Unknown scalar type" (the Scalar finalised mid-call). For
        // float tensors libtorch computes pow(x, 2) as x·x, so the values and gradients are the same.
        var d = a.flatten(1) - b.flatten(1);
        return (d * d).mean([1L]).neg().MoveToOuterDisposeScope();
    }

    public void Dispose() { }
}
