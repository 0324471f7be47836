using System.Text.Json.Serialization;

namespace Portal.Engine.Attacks;

/// <summary>The attack a task runs (2AFC, retrieval, detection and the audit share it); snake_case in the CLI's and API's JSON.</summary>
public sealed record AttackConfig
{
    /// <summary>"none", "apgd" or "square" (2AFC only).</summary>
    public string Kind { get; init; } = "none";
    /// <summary>"linf" or "l2".</summary>
    public string Norm { get; init; } = "linf";
    public double Eps { get; init; } = 4.0 / 255;
    public int Iterations { get; init; } = 100;
    public int Restarts { get; init; } = 1;
    public int Seed { get; init; }
    public string Loss { get; init; } = "ce";
    public string Perturbed { get; init; } = "reference";
    /// <summary>Square Attack's query budget (null for other attacks, and then not serialised, so APGD configurations
    /// and their fingerprints are unchanged).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Queries { get; init; }

    public static AttackConfig None => new() { Kind = "none" };
    public bool IsAttack => Kind != "none";
}
