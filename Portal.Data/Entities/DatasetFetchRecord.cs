namespace Portal.Data.Entities;

public enum DatasetFetchStatus { Queued, Running, Succeeded, Failed }

/// <summary>
/// An admin's request to fetch a benchmark dataset by name (NIGHTS, BAPPS, ROxford5k, RParis6k) into the data folder's
/// datasets/&lt;name&gt;, done by a worker: download (resumable), verify, extract safely, then register it as a benchmark.
/// </summary>
public sealed class DatasetFetchRecord
{
    public int Id { get; set; }
    /// <summary>The catalog name (Portal.Engine.Fetch.DatasetCatalog).</summary>
    public required string Dataset { get; set; }
    public DatasetFetchStatus Status { get; set; }
    /// <summary>What the worker is doing now, in words ("downloading nights.zip", "extracting", "registering").</summary>
    public string? Phase { get; set; }
    public long BytesDone { get; set; }
    public long? BytesTotal { get; set; }
    /// <summary>The folder the dataset was fetched into (as the worker that fetched it sees it).</summary>
    public string? Root { get; set; }
    /// <summary>Each downloaded file's URL, size and sha256 (JSON), as pinned in the folder's checksums.json.</summary>
    public string? FilesJson { get; set; }
    /// <summary>The benchmark registered from it.</summary>
    public int? BenchmarkId { get; set; }
    public string? Error { get; set; }
    public string? WorkerId { get; set; }
    public int Deaths { get; set; }
    public string? RequestedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
