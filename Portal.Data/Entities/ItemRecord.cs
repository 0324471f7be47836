namespace Portal.Data.Entities;

/// <summary>One triplet's outcome within a job, written as the engine completes it; a restarted job resumes from these.</summary>
public sealed class ItemRecord
{
    public long Id { get; set; }
    public int JobId { get; set; }
    public required string ItemId { get; set; }
    public required string Split { get; set; }
    public float Label { get; set; }
    public bool CleanCorrect { get; set; }
    public bool? RobustCorrect { get; set; }
    public double Margin { get; set; }
    public double? RobustMargin { get; set; }
    public double? LpipsScore { get; set; }
    /// <summary>‖δ‖ of the adversarial reference in the attack's norm (the engine's sanity checks cover resumed items too).</summary>
    public double? PerturbationNorm { get; set; }
    public double? RangeViolation { get; set; }
    /// <summary>Model queries the Square Attack spent on this item (null for other attacks).</summary>
    public int? Queries { get; set; }
}
