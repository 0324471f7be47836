namespace Portal.Engine.Audit;

/// <summary>
/// The audit's rules, each a sentence a reader can check against the curves: the ε curve reaches ~0 (else the attack
/// may be failing for a reason other than robustness); more iterations and more restarts do not lower robust accuracy by
/// more than the tolerance (else the budget under audit was too small); the black-box Square Attack is not stronger
/// than APGD by more than the tolerance (else the gradient is probably masked).
/// </summary>
public static class AuditVerdict
{
    public const string EpsCheck = "eps-curve", IterationCheck = "iterations", RestartCheck = "restarts", SquareCheck = "square";

    public static IReadOnlyList<AuditCheck> Checks(AuditOptions o, IReadOnlyList<AuditPoint> eps, IReadOnlyList<AuditPoint> iterations,
        IReadOnlyList<AuditPoint> restarts, double apgd, double square)
    {
        string Pct(double v) => $"{100 * v:0.#} %";
        string Pts(double v) => $"{100 * v:0.#} points";
        var checks = new List<AuditCheck>();

        var last = eps[^1];
        checks.Add(last.RobustAccuracy <= o.ZeroRobustAccuracy
            ? new AuditCheck(EpsCheck, true, $"robust accuracy reaches {Pct(last.RobustAccuracy)} at ε = {AttackAudit.Describe(o.Norm, last.Setting)}")
            : new AuditCheck(EpsCheck, false, $"robust accuracy is still {Pct(last.RobustAccuracy)} at ε = {AttackAudit.Describe(o.Norm, last.Setting)} ({last.Setting / o.Eps:0.#}× the threat model): the attack may be failing"));

        var atAudited = iterations.FirstOrDefault(p => (int)p.Setting == o.Iterations)?.RobustAccuracy ?? apgd;
        var most = iterations.MaxBy(p => p.Setting)!;
        var iterDrop = atAudited - most.RobustAccuracy;
        checks.Add(most.Setting <= o.Iterations || iterDrop <= o.Tolerance
            ? new AuditCheck(IterationCheck, true, $"{most.Setting:0} iterations give {Pct(most.RobustAccuracy)}, {o.Iterations} give {Pct(atAudited)}")
            : new AuditCheck(IterationCheck, false, $"{most.Setting:0} iterations lower robust accuracy by {Pts(iterDrop)} below {o.Iterations}: the budget under audit is too small"));

        var more = restarts.MaxBy(p => p.Setting)!;
        var restartDrop = restarts[0].RobustAccuracy - more.RobustAccuracy;
        checks.Add(restartDrop <= o.Tolerance
            ? new AuditCheck(RestartCheck, true, $"{more.Setting:0} restarts give {Pct(more.RobustAccuracy)}, 1 gives {Pct(restarts[0].RobustAccuracy)}")
            : new AuditCheck(RestartCheck, false, $"{more.Setting:0} restarts lower robust accuracy by {Pts(restartDrop)}: one restart is not enough"));

        var squareGain = apgd - square;
        checks.Add(squareGain <= o.Tolerance
            ? new AuditCheck(SquareCheck, true, $"Square ({o.SquareQueries} queries) gives {Pct(square)}, APGD {Pct(apgd)}")
            : new AuditCheck(SquareCheck, false, $"the black-box Square Attack is stronger than APGD by {Pts(squareGain)} ({Pct(square)} vs {Pct(apgd)}): the gradient is probably masked"));
        return checks;
    }
}
