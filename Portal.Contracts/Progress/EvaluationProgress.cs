namespace Portal.Engine.Progress;

/// <summary>A progress snapshot any long engine task reports; the portal forwards these to viewers.</summary>
public sealed record EvaluationProgress(
    string Phase,
    int Done,
    int Total,
    double? CleanAccuracy,
    double? RobustAccuracy,
    TimeSpan? Eta,
    IReadOnlyDictionary<string, double>? Extra = null)
{
    public double Fraction => Total == 0 ? 0 : (double)Done / Total;
}
