using Portal.Engine.Attacks;
using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Inversion;

/// <summary>One reconstruction: the image (3×H×W float32, CPU, in [0,1]) and how close it got.</summary>
public sealed class InversionResult(int target, int seed, Tensor image, double startCosine, double finalCosine, double deltaL2) : IDisposable
{
    public int Target { get; } = target;
    public int Seed { get; } = seed;
    public Tensor Image { get; } = image;
    /// <summary>Cosine similarity of the start image's embedding to the target embedding.</summary>
    public double StartCosine { get; } = startCosine;
    public double FinalCosine { get; } = finalCosine;
    /// <summary>‖x − x_start‖₂ (float64), at most the radius.</summary>
    public double DeltaL2 { get; } = deltaL2;
    public void Dispose() => Image.Dispose();
}

/// <summary>Progress of an inversion job: runs finished and the APGD iteration of the current batch.</summary>
public readonly record struct InversionProgress(int RunsDone, int RunsTotal, int Iteration, int Iterations);

/// <summary>
/// Feature inversion (paper Eq. 9) and, with a text embedding as target, text inversion (Eq. 10): for every target
/// embedding and seed, APGD maximises cos(φ(x), target) over x in the L2 ball around the seed's grey start,
/// x ∈ [0,1]. The image size is the encoder's input size (its preprocessing recipe).
/// </summary>
public static class FeatureInversion
{
    /// <param name="targets">T×D target embeddings (any scale: only the direction matters).</param>
    public static List<InversionResult> Run(IImageEncoder encoder, Tensor targets, InversionSettings settings,
        Action<InversionProgress>? progress = null, CancellationToken ct = default)
    {
        settings.Validate();
        if (targets.dim() != 2 || targets.shape[1] != encoder.Info.EmbeddingDim)
            throw new ArgumentException($"targets must be T×{encoder.Info.EmbeddingDim} (the encoder's embedding size), got [{string.Join(",", targets.shape)}]");
        var jobs = (from t in Enumerable.Range(0, (int)targets.shape[0]) from s in settings.Seeds select (Target: t, Seed: s)).ToList();
        long h = encoder.Info.Preprocessing.ImageHeight, w = encoder.Info.Preprocessing.ImageWidth;
        var results = new List<InversionResult>(jobs.Count);
        var options = settings.ToApgd();
        try
        {
            for (int start = 0; start < jobs.Count; start += settings.BatchSize)
            {
                ct.ThrowIfCancellationRequested();
                var batch = jobs.Skip(start).Take(settings.BatchSize).ToList();
                using var scope = torch.NewDisposeScope();
                var x0 = torch.stack(batch.Select(j => InversionStart.Make(j.Seed, h, w, settings.Grey, settings.StartNoise)).ToList(), 0).to(encoder.Device);
                var goal = targets.index_select(0, torch.tensor(batch.Select(j => (long)j.Target).ToArray(), ScalarType.Int64).to(targets.device))
                    .to(ScalarType.Float32).to(encoder.Device).detach();
                int calls = 0, done = start;
                ObjectiveValue Objective(Tensor x, Tensor idx)
                {
                    // Called once per APGD iteration (plus once at the start): a cheap, exact progress signal.
                    progress?.Invoke(new InversionProgress(done, jobs.Count, Math.Min(calls++, settings.Iterations), settings.Iterations));
                    return new ObjectiveValue(Cosine(encoder.Forward(x), goal.index_select(0, idx)), null);
                }
                var keys = batch.Select(j => ItemSeed.For(j.Seed, $"target-{j.Target}")).ToArray();
                using var apgd = Apgd.Run(Objective, x0, keys, options, ct);
                var adv = apgd.Adversarial.detach();
                double[] startCos, finalCos;
                using (torch.no_grad())
                {
                    startCos = Cosine(encoder.Forward(x0), goal).to(ScalarType.Float64).cpu().data<double>().ToArray();
                    finalCos = Cosine(encoder.Forward(adv), goal).to(ScalarType.Float64).cpu().data<double>().ToArray();
                }
                var norms = ThreatBall.Norms(adv - x0, ThreatNorm.L2);
                for (int i = 0; i < batch.Count; i++)
                {
                    var img = adv[i].to(ScalarType.Float32).cpu().clone().DetachFromDisposeScope();
                    results.Add(new InversionResult(batch[i].Target, batch[i].Seed, img, startCos[i], finalCos[i], norms[i]));
                }
                progress?.Invoke(new InversionProgress(start + batch.Count, jobs.Count, settings.Iterations, settings.Iterations));
            }
            return results;
        }
        catch
        {
            foreach (var r in results) r.Dispose();
            throw;
        }
    }

    /// <summary>Row-wise cosine similarity of two N×D tensors (float32 math, as the embeddings).</summary>
    public static Tensor Cosine(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var an = nn.functional.normalize(a.to(ScalarType.Float32), dim: 1);
        var bn = nn.functional.normalize(b.to(ScalarType.Float32).to(a.device), dim: 1);
        return (an * bn).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>The embeddings of images as the encoder sees them (resized/cropped by its recipe), without gradients.</summary>
    public static Tensor Embed(IImageEncoder encoder, Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = Images.Resize.Apply(images.to(encoder.Device), encoder.Info.Preprocessing);
        return encoder.Forward(x).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
