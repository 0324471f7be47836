using Portal.Engine.Attacks;

namespace Portal.Engine.Inversion;

/// <summary>
/// The paper's inversion protocol (Eq. 9/10, Appendix A-B): start from grey 0.5 plus U[−8/255, 8/255] noise drawn
/// from the seed, run APGD in the L2 ball of radius 100 around that start (500 iterations, initial step 2 × 100),
/// clipped to [0,1], maximising the cosine similarity to the target embedding. One run per seed and target.
/// </summary>
public sealed record InversionSettings
{
    public double Radius { get; init; } = PaperRadius;
    public const double PaperRadius = 100;
    public const int PaperImageSize = 224;

    /// <summary>
    /// The paper's radius (100 at 224×224) rescaled to another input size with the same per-pixel RMS change
    /// (radius ∝ √(H·W)): 28.6 at 64×64. At 64 px the paper's 100 would let the first step (2 × radius) saturate almost
    /// every pixel (‖0.5‖₂ over 3·64·64 values is only 55).
    /// </summary>
    public static double PaperRadiusAt(int height, int width) =>
        PaperRadius * Math.Sqrt((double)height * width) / PaperImageSize;
    public int Iterations { get; init; } = 500;
    /// <summary>Initial APGD step = this × radius (200 for the paper's settings).</summary>
    public double InitialStepFactor { get; init; } = 2;
    public double Grey { get; init; } = 0.5;
    /// <summary>Half-width of the uniform start noise around <see cref="Grey"/>.</summary>
    public double StartNoise { get; init; } = 8.0 / 255;
    public IReadOnlyList<int> Seeds { get; init; } = [0, 1, 2];
    /// <summary>Runs optimised together (memory vs speed; results do not depend on it).</summary>
    public int BatchSize { get; init; } = 4;

    public void Validate()
    {
        if (!(Radius > 0) || !double.IsFinite(Radius)) throw new ArgumentException($"inversion radius must be a positive number, got {Radius}");
        if (Iterations < 1) throw new ArgumentException($"inversion needs at least one iteration, got {Iterations}");
        if (!(InitialStepFactor > 0)) throw new ArgumentException($"initial step factor must be positive, got {InitialStepFactor}");
        if (Grey is < 0 or > 1 || StartNoise is < 0 or > 0.5) throw new ArgumentException($"start grey {Grey} ± {StartNoise} must stay inside [0,1]");
        if (Seeds.Count == 0) throw new ArgumentException("inversion needs at least one seed");
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException($"seeds must be distinct, got {string.Join(",", Seeds)}");
        if (BatchSize < 1) throw new ArgumentException("batch size must be at least 1");
    }

    public ApgdOptions ToApgd() => new()
    {
        Norm = ThreatNorm.L2,
        Eps = Radius,
        Iterations = Iterations,
        InitialStepFactor = InitialStepFactor,
        // The ball is centred on the grey start itself, so APGD starts at its centre: no random point on the sphere.
        RandomStart = false,
        Restarts = 1,
        DropSucceeded = false,
    };
}
