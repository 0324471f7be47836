using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Metric;

/// <summary>
/// SSIM (Wang et al. 2004) as a perceptual baseline: 11×11 Gaussian window (σ = 1.5), K1 = 0.01, K2 = 0.03, dynamic
/// range 1, computed per channel over the valid region and averaged. The "embedding" is the image; representations
/// that arrive flattened (e.g. from an embedding cache) are reshaped back to 3×size×size. Differentiable.
/// </summary>
public sealed class Ssim : IPerceptualModel
{
    private const int Window = 11;
    private const double Sigma = 1.5, C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;
    private readonly int _size;
    private readonly Tensor _kernel;

    public Ssim(int size = 224, Device? device = null)
    {
        if (size < Window) throw new ArgumentOutOfRangeException(nameof(size), $"SSIM needs images of at least {Window}×{Window} pixels (got {size})");
        _size = size;
        Device = device ?? CPU;
        Preprocessing = Preprocessing.Identity(size);
        var g = new float[Window];
        for (int i = 0; i < Window; i++) g[i] = (float)Math.Exp(-Math.Pow(i - Window / 2, 2) / (2 * Sigma * Sigma));
        var sum = g.Sum();
        var k2 = new float[Window * Window];
        for (int y = 0; y < Window; y++)
            for (int x = 0; x < Window; x++) k2[y * Window + x] = g[y] * g[x] / (sum * sum);
        using var scope = torch.NewDisposeScope();
        _kernel = torch.tensor(k2, [1, 1, Window, Window]).expand(3, 1, Window, Window).contiguous().to(Device).MoveToOuterDisposeScope();
    }

    public string Name => $"ssim@{_size}";
    public Preprocessing Preprocessing { get; }
    public Device Device { get; }

    public Tensor Embed(Tensor pixels) => pixels.alias();

    public Tensor Similarity(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var x = AsImages(a);
        var y = AsImages(b);
        var k = _kernel.to(x.dtype);
        Tensor Blur(Tensor t) => nn.functional.conv2d(t, k, groups: 3);
        var muX = Blur(x);
        var muY = Blur(y);
        var sxx = Blur(x * x) - muX * muX;
        var syy = Blur(y * y) - muY * muY;
        var sxy = Blur(x * y) - muX * muY;
        var map = (2 * muX * muY + C1) * (2 * sxy + C2) / ((muX * muX + muY * muY + C1) * (sxx + syy + C2));
        return map.flatten(1).mean([1L]).MoveToOuterDisposeScope();
    }

    private Tensor AsImages(Tensor t) => t.dim() == 4 ? t : t.reshape(-1, 3, _size, _size);

    public void Dispose() => _kernel.Dispose();
}
