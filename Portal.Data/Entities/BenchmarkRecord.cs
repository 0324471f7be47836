namespace Portal.Data.Entities;

/// <summary>
/// A dataset + protocol the portal evaluates on. <see cref="VersionHash"/> covers the item list (ids, splits, labels,
/// relative paths, file sizes) and the protocol, so a changed dataset never reuses an old result.
/// </summary>
public sealed class BenchmarkRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Its <see cref="Entities.TaskKind"/> (what the record is a benchmark, gallery or training set of).</summary>
    public required TaskKind TaskKind { get; set; }
    /// <summary>Dataset layout: "nights".</summary>
    public required string Format { get; set; }
    public required string DatasetRoot { get; set; }
    /// <summary>The split evaluated (e.g. "test" = union of test_imagenet and test_no_imagenet).</summary>
    public required string Split { get; set; }
    /// <summary>Names of the sub-splits results report, comma separated.</summary>
    public string Splits { get; set; } = "";
    public int ItemCount { get; set; }
    public required string VersionHash { get; set; }
    public bool IsDemo { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
}
