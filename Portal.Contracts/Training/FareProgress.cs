namespace Portal.Engine.Training;

/// <summary>
/// One FARE step as reported to a viewer. Distances are mean squared L2 to the original encoder's clean embedding,
/// ‖φ(x) − φ_orig(x)‖² (clean) and ‖φ(x+δ) − φ_orig(x)‖² (adversarial, the loss that was minimised).
/// </summary>
public sealed record FareProgress(
    string Phase,
    int Step,
    int TotalSteps,
    double Loss,
    double CleanDistance,
    double AdversarialDistance,
    double LearningRate,
    TimeSpan Elapsed,
    TimeSpan? Eta)
{
    public double Fraction => TotalSteps == 0 ? 0 : (double)Step / TotalSteps;
}
