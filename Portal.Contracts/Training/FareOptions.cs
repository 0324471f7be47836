using Portal.Engine.Attacks;

namespace Portal.Engine.Training;

/// <summary>How the inner maximisation of FARE is solved.</summary>
public enum InnerAttack
{
    /// <summary>FARE's own attack: L∞ PGD with a fixed step, sign-gradient momentum 0.9, uniform random start.</summary>
    Pgd,
    /// <summary>The engine's APGD (step-size schedule, no fixed step) on the same per-item loss.</summary>
    Apgd,
}

/// <summary>
/// FARE fine-tuning settings. Defaults are FARE's published ViT-L/14 recipe (Schlarmann et al. 2024, RobustVLM
/// `train/adversarial_training_clip.py` run with `--eps 4 --iterations_adv 10 --stepsize_adv 1 --lr 1e-5 --wd 1e-4
/// --output_normalize False`): ε = 4/255, 10 PGD steps of 1/255, unnormalised squared-L2 embedding loss, AdamW.
/// </summary>
public sealed record FareOptions
{
    /// <summary>L∞ radius of the inner attack (pixels in [0,1]).</summary>
    public double Eps { get; init; } = 4.0 / 255;
    /// <summary>Outer optimisation steps (one batch each).</summary>
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 32;
    public InnerAttack Attack { get; init; } = InnerAttack.Pgd;
    public int InnerSteps { get; init; } = 10;
    /// <summary>PGD step size (FARE: 1/255). APGD ignores it (its step starts at 2ε and adapts).</summary>
    public double InnerStepSize { get; init; } = 1.0 / 255;
    /// <summary>Momentum of FARE's PGD on sign gradients.</summary>
    public double InnerMomentum { get; init; } = 0.9;
    public double LearningRate { get; init; } = 1e-5;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Linear warm-up steps before the cosine decay (FARE: 1400 of 20 000).</summary>
    public int WarmupSteps { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double AdamEps { get; init; } = 1e-8;
    /// <summary>Seed of every random draw (data order, flips, attack starts): each is a pure function of (seed, step, item).</summary>
    public ulong Seed { get; init; }
    /// <summary>Random horizontal flips of training images (FARE uses none: the eval transform only).</summary>
    public bool HorizontalFlip { get; init; }
    /// <summary>Write the resumable state every this many steps (and always when cancelled or finished).</summary>
    public int StateEvery { get; init; } = 50;

    public void Validate()
    {
        if (!(Eps >= 0) || !double.IsFinite(Eps)) throw new ArgumentException($"ε must be finite and ≥ 0, got {Eps}");
        if (Steps < 1) throw new ArgumentException($"steps must be at least 1, got {Steps}");
        if (BatchSize < 2) throw new ArgumentException($"batch size must be at least 2, got {BatchSize}");
        if (InnerSteps < 1) throw new ArgumentException($"inner steps must be at least 1, got {InnerSteps}");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be > 0, got {LearningRate}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"weight decay must be ≥ 0, got {WeightDecay}");
        if (WarmupSteps < 0 || WarmupSteps > Steps) throw new ArgumentException($"warm-up must be between 0 and the {Steps} steps, got {WarmupSteps}");
        if (StateEvery < 1) throw new ArgumentException($"state interval must be at least 1, got {StateEvery}");
    }

    internal ApgdOptions ApgdInner => new() { Eps = Eps, Iterations = InnerSteps, Norm = ThreatNorm.Linf, DropSucceeded = false };
}
