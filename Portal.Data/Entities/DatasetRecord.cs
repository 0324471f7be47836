namespace Portal.Data.Entities;

/// <summary>
/// What a job runs an encoder on: a <see cref="BenchmarkRecord"/> (2AFC, retrieval, detection), a
/// <see cref="GalleryRecord"/> (inversion targets) or a <see cref="TrainingImageSetRecord"/> (FARE's images). Each kind
/// has its own table; the columns every kind has live in "datasets" (table per type), so jobs and results point at one
/// id space and a name is unique across all three. <see cref="VersionHash"/> covers the items and the protocol, so a
/// changed dataset never reuses an old result.
/// </summary>
public abstract class DatasetRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Its <see cref="Entities.TaskKind"/>: what the worker runs on it (the record's type allows only some, see <see cref="Allows"/>).</summary>
    public required TaskKind TaskKind { get; set; }
    public required string DatasetRoot { get; set; }
    public int ItemCount { get; set; }
    public required string VersionHash { get; set; }
    public bool IsDemo { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Whether a record of this type may carry the kind (a gallery is never a 2AFC benchmark).</summary>
    public abstract bool Allows(TaskKind kind);

    /// <summary>What it is, for messages: "2afc benchmark", "text-inversion gallery", "FARE training-image set".</summary>
    public abstract string KindNoun();
}
