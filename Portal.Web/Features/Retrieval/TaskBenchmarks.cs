using Portal.Engine.Detection;
using Portal.Engine.Retrieval;
using Portal.Web.Benchmarks;

namespace Portal.Web.Features.Retrieval;

/// <summary>What a registered benchmark holds: its task kind, item count (queries), sub-splits and version hash.</summary>
public sealed record BenchmarkShape(string TaskKind, int Items, string Splits, string Version);

/// <summary>
/// Retrieval and detection benchmarks: the dataset formats the portal registers (read through the engine's readers)
/// and their version hash over every file, so an edited dataset never reuses an old result.
/// </summary>
public static class TaskBenchmarks
{
    public const string Retrieval = "retrieval", Detection = "detection";
    /// <summary>Detection layouts: pools/queries/targets per class; "-2class" drops the buffer class (Table X).</summary>
    public const string DetectionFormat = "detection", DetectionTwoClassFormat = "detection-2class";
    public static readonly string[] RetrievalFormats = RetrievalDataset.Formats;
    public static readonly string[] DetectionFormats = [DetectionFormat, DetectionTwoClassFormat];
    public static IEnumerable<string> Formats => RetrievalFormats.Concat(DetectionFormats);

    public static string? TaskKindOf(string format) =>
        RetrievalFormats.Contains(format) ? Retrieval : DetectionFormats.Contains(format) ? Detection : null;

    public static RetrievalDataset OpenRetrieval(string format, string root) => RetrievalDataset.Open(root, format);

    public static DetectionDataset OpenDetection(string format, string root) => DetectionDataset.Open(root, format == DetectionTwoClassFormat);

    /// <summary>Opens the dataset (so a bad layout is refused at registration, naming the file) and describes it.</summary>
    public static BenchmarkShape Describe(string kind, string format, string root, string split)
    {
        if (kind == Retrieval)
        {
            var d = OpenRetrieval(format, root);
            if (d.Queries.Count == 0) throw new InvalidDataException($"{root}: the retrieval benchmark has no queries");
            var gnd = d.GroundTruth != null ? new[] { Path.Combine(root, $"gnd_{format}.pkl") } : [];
            var version = BenchmarkVersion.ComputeFiles(kind, format, split, root, d.Database.Concat(d.Queries).Select(i => i.Path), gnd);
            return new BenchmarkShape(kind, d.Queries.Count, d.GroundTruth != null ? "medium,hard" : "", version);
        }
        var det = OpenDetection(format, root);
        var files = det.Pools.Values.Concat(det.Queries.Values).Concat(det.Targets.Values).SelectMany(v => v).Select(i => i.Path);
        return new BenchmarkShape(kind, det.Queries.Values.Sum(q => q.Count), string.Join(",", det.Classes),
            BenchmarkVersion.ComputeFiles(kind, format, split, root, files));
    }

    /// <summary>The version of the files as they are now (a runner refuses a dataset changed since registration).</summary>
    public static string CurrentVersion(Portal.Data.Entities.BenchmarkRecord b) => Describe(b.TaskKind, b.Format, b.DatasetRoot, b.Split).Version;
}
