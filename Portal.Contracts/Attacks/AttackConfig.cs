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

    /// <summary>
    /// Precision of the attack's search (its forward and backward passes): null = float32, or "bf16" = a bfloat16 copy of
    /// the encoder finds the adversarial examples, which float32 then scores (clean and robust numbers are always float32
    /// numbers). Null is not serialised, so float32 configurations and their fingerprints are unchanged.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Precision { get; init; }

    public const string Bf16 = "bf16";

    public static AttackConfig None => new() { Kind = "none" };
    public bool IsAttack => Kind != "none";
}
