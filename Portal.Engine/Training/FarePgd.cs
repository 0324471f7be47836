using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Training;

/// <summary>
/// FARE's inner maximisation, as its training code does it (RobustVLM train/pgd_train.py, L∞): the perturbation starts
/// uniform in [−ε, ε]; each step takes the gradient of the batch-mean squared L2 distance to the target embeddings,
/// accumulates v ← μ·v + sign(g), re-normalises v ← sign(v), steps δ ← δ + α·v, projects onto the ε-ball and clips
/// x + δ to [0,1]. The last iterate is returned (FARE keeps no best point). The start is drawn on the CPU from a
/// seeded generator so a seed gives the same attack on every device.
/// </summary>
public static class FarePgd
{
    /// <param name="embed">φ: pixels in [0,1] → N×D embeddings, differentiable w.r.t. the pixels.</param>
    /// <param name="clean">N×3×H×W in [0,1].</param>
    /// <param name="target">N×D: φ_orig(clean), no grad.</param>
    public static Tensor Run(Func<Tensor, Tensor> embed, Tensor clean, Tensor target, double eps, int steps, double stepSize,
        double momentum, ulong seed, CancellationToken ct = default)
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(seed, CPU);
        var delta = (torch.rand(clean.shape, ScalarType.Float32, CPU, generator: gen) * (2 * eps) - eps).to(clean.dtype).to(clean.device);
        var velocity = torch.zeros_like(clean);
        for (int i = 0; i < steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            using var it = torch.NewDisposeScope();
            Tensor grad;
            using (torch.enable_grad())
            {
                var d = delta.detach().requires_grad_(true);
                var loss = SquaredDistance(embed(clean + d), target).mean();
                grad = torch.autograd.grad([loss], [d])[0];
            }
            using (torch.no_grad())
            {
                var v = (velocity * momentum + grad.sign()).sign();
                var next = (delta + v * stepSize).clamp(-eps, eps);
                next = (clean + next).clamp(0, 1) - clean;
                velocity.Dispose(); delta.Dispose();
                velocity = v.MoveToOuterDisposeScope();
                delta = next.MoveToOuterDisposeScope();
            }
        }
        return (clean + delta).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Per-item ‖a − b‖² summed over the embedding (FARE's `l2`: not divided by the dimension).</summary>
    public static Tensor SquaredDistance(Tensor a, Tensor b) => (a - b).square().sum(1);
}
