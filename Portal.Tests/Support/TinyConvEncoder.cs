using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Support;

/// <summary>A small random convolutional encoder for tests that need a real, differentiable φ but not a real architecture.</summary>
public sealed class TinyConvEncoder : IImageEncoder
{
    private readonly nn.Module<Tensor, Tensor> _net;
    private readonly int _size;
    public int Calls;

    public TinyConvEncoder(int seed = 0, int size = 32, int dim = 16)
    {
        torch.manual_seed(seed);
        _size = size;
        _net = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride: 2, padding: 1), nn.GELU(),
            nn.Conv2d(8, 16, 3, stride: 2, padding: 1), nn.GELU(),
            nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(64, dim));
        foreach (var p in _net.parameters()) p.requires_grad = false;
        _net.eval();
    }

    public EncoderInfo Info => new("tiny-conv", "test", 16, _net.parameters().Sum(p => p.numel()),
        new Preprocessing(_size, _size, _size, ResizeMode.Squash, Interpolation.Bilinear, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]));
    public Device Device => CPU;

    public Tensor Forward(Tensor pixels)
    {
        Interlocked.Increment(ref Calls);
        using var scope = torch.NewDisposeScope();
        return _net.forward((pixels - 0.5f) / 0.25f).MoveToOuterDisposeScope();
    }

    public void Dispose() => _net.Dispose();
}
