using Portal.Engine.Attacks;

namespace Portal.Engine.Audit;

/// <summary>One point of an audit curve: the setting (ε, iterations or restarts), robust accuracy on the subset, and its cost.</summary>
public sealed record AuditPoint(double Setting, double RobustAccuracy, double WallSeconds);

/// <summary>One of the audit's checks, with the reason in words (what was measured against what).</summary>
public sealed record AuditCheck(string Name, bool Passed, string Reason);

/// <summary>
/// What an audit found: the curves, Square's number and query statistics, the worst case per item over every attack run
/// at the audited ε (the number a board should trust, "best known"), and the verdict with its checks.
/// </summary>
public sealed record AuditReport
{
    public required string Benchmark { get; init; }
    public required AuditOptions Options { get; init; }
    public required int N { get; init; }
    public required double CleanAccuracy { get; init; }
    /// <summary>APGD at the audited setting (ε, iterations, 1 restart) on the subset.</summary>
    public required double ApgdRobustAccuracy { get; init; }
    public required IReadOnlyList<AuditPoint> EpsCurve { get; init; }
    public required IReadOnlyList<AuditPoint> IterationCurve { get; init; }
    public required IReadOnlyList<AuditPoint> RestartCurve { get; init; }
    public required double SquareRobustAccuracy { get; init; }
    public QueryStatistics? SquareQueries { get; init; }
    /// <summary>An item counts as robust only if it survived every attack run at the audited ε.</summary>
    public required double WorstCaseRobustAccuracy { get; init; }
    public required IReadOnlyList<AuditCheck> Checks { get; init; }
    public bool Passed => Checks.All(c => c.Passed);
    public string Verdict => Passed ? "no sign of gradient masking" : "warning: " + string.Join("; ", Checks.Where(c => !c.Passed).Select(c => c.Reason));
    /// <summary>Every run's own sanity checks, each named "&lt;run&gt;: &lt;check&gt;".</summary>
    public required IReadOnlyList<SanityCheck> Sanity { get; init; }
    public required double WallSeconds { get; init; }
    /// <summary>The audit's cost as a multiple of one APGD run at the audited setting on the same subset.</summary>
    public required double CostRelativeToApgd { get; init; }
    /// <summary>Ids of the subset's items, so another audit (or a person) can check the same ones.</summary>
    public required IReadOnlyList<string> ItemIds { get; init; }
    public required string EngineVersion { get; init; }
    public required string Device { get; init; }
}
