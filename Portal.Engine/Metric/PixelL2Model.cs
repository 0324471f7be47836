using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Metric;

/// <summary>
/// The pixel-space L2 baseline: the "embedding" is the resized image itself and similarity is −‖a − b‖₂, so it runs
/// (and can be attacked) through every task exactly like an encoder.
/// </summary>
public sealed class PixelL2Model(int size = 224, Device? device = null) : IPerceptualModel
{
    public string Name => "pixel-l2";
    public Preprocessing Preprocessing { get; } = Preprocessing.Identity(size);
    public Device Device { get; } = device ?? CPU;

    public Tensor Embed(Tensor pixels) => pixels.flatten(1);

    public Tensor Similarity(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        // sqrt has an infinite derivative at 0; the tiny floor keeps attack gradients finite when ref+δ equals a candidate.
        return (a - b).square().sum(1).add(1e-12).sqrt().neg().MoveToOuterDisposeScope();
    }

    public void Dispose() { }
}
