using Portal.Web.Features.Benchmarks;

using Portal.Data.Entities;

namespace Portal.Web.Features.Benchmarks;

/// <summary>What a registered benchmark holds: its task kind, item count (queries), sub-splits and version hash.</summary>
public sealed record BenchmarkShape(TaskKind TaskKind, int Items, string Splits, string Version);

/// <summary>
/// Retrieval and detection benchmarks: the dataset formats the portal registers (read through the engine's readers)
/// and their version hash over every file, so an edited dataset never reuses an old result.
/// </summary>
public static class TaskBenchmarks
{
    /// <summary>Detection layouts: pools/queries/targets per class; "-2class" drops the buffer class (Table X).</summary>
    public const string DetectionFormat = "detection", DetectionTwoClassFormat = "detection-2class";
    /// <summary>RetrievalDataset.Formats (the engine's retrieval layouts; a test keeps the two equal).</summary>
    public static readonly string[] RetrievalFormats = ["roxford5k", "rparis6k", "folder", "rworld"];
    public static readonly string[] DetectionFormats = [DetectionFormat, DetectionTwoClassFormat];
    public static IEnumerable<string> Formats => RetrievalFormats.Concat(DetectionFormats);

    public static TaskKind? TaskKindOf(string format) =>
        RetrievalFormats.Contains(format) ? TaskKind.Retrieval : DetectionFormats.Contains(format) ? TaskKind.Detection : null;

    /// <summary>
    /// Opens the dataset (so a bad layout is refused at registration, naming the file) and describes it. Revisitop's
    /// ground truth is a pickle, read by the engine: the web asks a worker-side inspector (<see cref="IDatasetInspector"/>).
    /// </summary>
    public static Task<BenchmarkShape> DescribeAsync(IDatasetInspector inspector, TaskKind kind, string format, string root, string split, CancellationToken ct) =>
        inspector.DescribeAsync(kind, format, root, split, ct);
}
