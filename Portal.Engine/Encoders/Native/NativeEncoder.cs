using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// A native tower as an <see cref="IImageEncoder"/>: [0,1] pixels → (x − mean)/std (float32, subtraction then
/// division, as torchvision's Normalize) → tower → optional MLP head. Parameters do not require grad, so a
/// backward pass computes input gradients only.
/// </summary>
public sealed class NativeEncoder : IImageEncoder
{
    private readonly Tensor _mean, _std;

    public NativeEncoder(NativeTower tower, EncoderInfo info, Device device, ScalarType dtype, MlpHead? head = null)
    {
        Tower = tower;
        Head = head;
        Info = info;
        Device = device;
        DType = dtype;
        tower.eval();
        foreach (var p in tower.parameters()) p.requires_grad = false;
        _mean = torch.tensor(info.Preprocessing.Mean, ScalarType.Float32).view(1, 3, 1, 1).to(dtype, device);
        _std = torch.tensor(info.Preprocessing.Std, ScalarType.Float32).view(1, 3, 1, 1).to(dtype, device);
    }

    public NativeTower Tower { get; }
    public MlpHead? Head { get; }
    public EncoderInfo Info { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    public Tensor Forward(Tensor pixels)
    {
        if (pixels.dim() != 4 || pixels.shape[1] != 3)
            throw new ArgumentException($"encoder input must be N×3×H×W pixels in [0,1], got [{string.Join(",", pixels.shape)}]");
        Tower.CheckInputSize(pixels.shape[2], pixels.shape[3]);
        using var scope = torch.NewDisposeScope();
        var x = Normalize(pixels);
        var e = Tower.Embed(x);
        if (Head is not null) e = Head.Forward(e);
        return e.MoveToOuterDisposeScope();
    }

    /// <summary>The model's own mean/std normalisation, inside the differentiable path.</summary>
    public Tensor Normalize(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        var x = pixels.to(DType, Device);
        return x.sub(_mean).div(_std).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _mean.Dispose();
        _std.Dispose();
        Head?.Dispose();
        Tower.Dispose();
    }
}
