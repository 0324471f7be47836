using System.Globalization;

namespace Portal.Data.Entities;

/// <summary>
/// The typed configuration of an evaluation job (stored as columns of the job row). <see cref="Key"/> is the
/// canonical form used, with the checkpoint hash and benchmark version, to recognise identical requests.
/// </summary>
public sealed class JobConfig
{
    /// <summary>"none", "apgd", "square" (the black-box Square Attack) or "audit" (the attack audit around an APGD
    /// setting: Iterations, Queries for Square, Restarts for the restart check, Limit = subset size); the last two on 2AFC benchmarks.</summary>
    public string Attack { get; set; } = "none";
    /// <summary>"linf" or "l2" (ignored when Attack is none).</summary>
    public string Norm { get; set; } = "linf";
    public double Eps { get; set; }
    public int Iterations { get; set; }
    public int Restarts { get; set; }
    public int Seed { get; set; }
    /// <summary>Evaluate only the first N items of the split; null = all.</summary>
    public int? Limit { get; set; }
    /// <summary>Square Attack's query budget per restart (null for other attacks).</summary>
    public int? Queries { get; set; }
    /// <summary>Settings of other job kinds (FARE: batch, learning rate, inner steps…) as canonical JSON; null for evaluations.</summary>
    public string? Options { get; set; }

    public bool IsAttack => Attack != "none";

    public string Key => Options != null
        ? string.Create(CultureInfo.InvariantCulture, $"{Attack};{Norm};eps={Eps:R};it={Iterations};seed={Seed};opts={Options}")
        : Attack == "audit"
        ? string.Create(CultureInfo.InvariantCulture, $"audit;{Norm};eps={Eps:R};it={Iterations};q={Queries};rs={Restarts};seed={Seed};items={Limit?.ToString() ?? "all"}")
        : Attack == "square"
        ? string.Create(CultureInfo.InvariantCulture, $"square;{Norm};eps={Eps:R};q={Queries};rs={Restarts};seed={Seed};limit={Limit?.ToString() ?? "all"}")
        : IsAttack
        ? string.Create(CultureInfo.InvariantCulture, $"apgd;{Norm};eps={Eps:R};it={Iterations};rs={Restarts};seed={Seed};limit={Limit?.ToString() ?? "all"}")
        : $"none;limit={Limit?.ToString() ?? "all"}";

    public JobConfig Clone() => (JobConfig)MemberwiseClone();
}
