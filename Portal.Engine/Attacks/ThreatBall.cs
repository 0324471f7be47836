using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// The threat model's geometry, per sample: the ε-ball around the clean input intersected with the image box [0,1].
/// Tensors are N×… ; every norm is taken over all non-batch dimensions.
/// </summary>
public static class ThreatBall
{
    private const double Tiny = 1e-12;

    /// <summary>Per-sample L2 norm, shaped N×1×…×1 for broadcasting.</summary>
    public static Tensor L2(Tensor v)
    {
        using var scope = torch.NewDisposeScope();
        var f = v.flatten(1);
        return (f * f).sum(1).sqrt().reshape(Broadcast(v)).MoveToOuterDisposeScope();   // f·f = square(), without its temporary Scalar
    }

    /// <summary>Per-sample L∞ norm, shaped N×1×…×1.</summary>
    public static Tensor LInf(Tensor v) => v.flatten(1).abs().amax([1]).reshape(Broadcast(v));

    public static long[] Broadcast(Tensor v)
    {
        var s = new long[v.dim()];
        Array.Fill(s, 1L);
        s[0] = v.shape[0];
        return s;
    }

    /// <summary>The steepest-ascent direction of unit norm: sign(g) for L∞, g/‖g‖₂ for L2.</summary>
    public static Tensor Direction(Tensor g, ThreatNorm norm) =>
        norm == ThreatNorm.Linf ? g.sign() : g / (L2(g) + HeldScalars.Tiny);

    /// <summary>Projection onto {z : ‖z − x‖ ≤ ε} followed by clipping to [0,1] (as the reference does; for L2 the clip
    /// can leave the point strictly inside the ball).</summary>
    public static Tensor Project(Tensor z, Tensor x, double eps, ThreatNorm norm)
    {
        using var scope = torch.NewDisposeScope();
        using var e = eps.ToScalar();
        Tensor r;
        if (norm == ThreatNorm.Linf)
            r = torch.minimum(torch.maximum(z, x - e), x + e).clamp(HeldScalars.Zero, HeldScalars.One);
        else
        {
            var v = z - x;
            var n = L2(v);
            r = (x + v / (n + HeldScalars.Tiny) * n.clamp_max(e)).clamp(HeldScalars.Zero, HeldScalars.One);
        }
        return r.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A random start per item, each from its own generator: L∞ draws t ~ U(−1,1) and rescales it to ‖t‖∞ = ε,
    /// L2 draws t ~ N(0,1) and rescales it to ‖t‖₂ = ε (as AutoAttack does); the point is then clipped to [0,1].
    /// Noise is drawn on the CPU so a seed gives the same start on every device.
    /// </summary>
    public static Tensor RandomStart(Tensor x, IReadOnlyList<ulong> itemKeys, double eps, ThreatNorm norm)
    {
        using var scope = torch.NewDisposeScope();
        var itemShape = x.shape.Skip(1).ToArray();
        var noise = new List<Tensor>(itemKeys.Count);
        foreach (var key in itemKeys)
        {
            using var g = new torch.Generator(key, torch.CPU);
            noise.Add(norm == ThreatNorm.Linf
                ? torch.rand(itemShape, ScalarType.Float32, torch.CPU, generator: g) * 2 - 1
                : torch.randn(itemShape, ScalarType.Float32, torch.CPU, generator: g));
        }
        var t = torch.stack(noise, 0).to(x.device).to(x.dtype);
        var unit = norm == ThreatNorm.Linf ? t / (LInf(t) + Tiny) : t / (L2(t) + Tiny);
        return (x + eps * unit).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Per-sample ‖δ‖ in float64 (for sanity checks, where float32 rounding must not hide a violation).</summary>
    public static double[] Norms(Tensor delta, ThreatNorm norm)
    {
        using var scope = torch.NewDisposeScope();
        var d = delta.detach().to(ScalarType.Float64).flatten(1);
        var n = norm == ThreatNorm.Linf ? d.abs().amax([1]) : d.square().sum(1).sqrt();
        return n.cpu().data<double>().ToArray();
    }
}
