using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>Random weights for benchmarks: N(0, 0.02) matrices, LayerNorm weight 1 / bias 0, layer scales 1e-6 (timm's init).</summary>
public static class RandomInit
{
    public static void Apply(NativeTower tower, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var gen = new Generator((ulong)seed, tower.parameters().First().device);
        foreach (var (name, p) in tower.named_parameters())
        {
            if (name.EndsWith("gamma", StringComparison.Ordinal)) p.fill_(1e-6);
            else if (p.dim() == 1 && name.EndsWith("weight", StringComparison.Ordinal)) p.fill_(1.0);
            else if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0, 0.02, gen);
        }
    }
}
