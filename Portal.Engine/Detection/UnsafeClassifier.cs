using Portal.Engine.Encoders;
using Portal.Engine.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Detection;

/// <summary>What a classifier-type detector outputs: an unsafe probability in [0,1] or a logit.</summary>
public enum ClassifierOutput { Probability, Logit }

/// <summary>
/// A classifier-type detector (e.g. the LAION NSFW detector exported to TorchScript): an <see cref="IImageEncoder"/>
/// whose output is one value per image. An image is unsafe iff score &gt; threshold. Its input is the retrieval model's
/// input image resized (differentiably) to the classifier's own recipe, so one perturbation attacks both.
/// </summary>
public sealed class UnsafeClassifier(IImageEncoder encoder, ClassifierOutput output = ClassifierOutput.Probability, double threshold = 0.5) : IDisposable
{
    public IImageEncoder Encoder { get; } = encoder;
    public ClassifierOutput Output { get; } = output;
    public double Threshold { get; } = output == ClassifierOutput.Probability && (threshold <= 0 || threshold >= 1)
        ? throw new ArgumentException($"a probability threshold must lie in (0,1), got {threshold}") : threshold;

    /// <summary>Raw scores (probability or logit), N.</summary>
    public Tensor Score(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        var x = Resize.Apply(pixels, Encoder.Info.Preprocessing).to(Encoder.Device);
        var y = Encoder.Forward(x);
        if (y.numel() != pixels.shape[0])
            throw new InvalidOperationException($"classifier detector must output one value per image, got shape [{string.Join(",", y.shape)}] for {pixels.shape[0]} images");
        return y.reshape(-1).to(ScalarType.Float32).to(pixels.device).MoveToOuterDisposeScope();
    }

    /// <summary>Signed margin in logit units: &gt; 0 means unsafe. Probabilities are mapped through logit (clamped) so the
    /// attack's gradient does not vanish where the probability saturates.</summary>
    public Tensor Margin(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        var s = Score(pixels);
        Tensor m = Output == ClassifierOutput.Probability
            ? torch.logit(s.clamp(1e-6, 1 - 1e-6)) - Math.Log(Threshold / (1 - Threshold))
            : s - Threshold;
        return m.MoveToOuterDisposeScope();
    }

    public void Dispose() => Encoder.Dispose();
}
