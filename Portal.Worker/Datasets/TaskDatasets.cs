using Portal.Engine.Detection;
using Portal.Engine.Retrieval;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Features.Retrieval;
using Portal.Data.Entities;

namespace Portal.Worker.Datasets;

/// <summary>Retrieval and detection datasets as the engine opens them, for the runners and for registration.</summary>
public static class TaskDatasets
{
    public static RetrievalDataset OpenRetrieval(string format, string root) => RetrievalDataset.Open(root, format);

    public static DetectionDataset OpenDetection(string format, string root) => DetectionDataset.Open(root, format == TaskBenchmarks.DetectionTwoClassFormat);

    /// <summary>Opens the dataset (so a bad layout is refused at registration, naming the file) and describes it.</summary>
    public static BenchmarkShape Describe(TaskKind kind, string format, string root, string split)
    {
        if (kind == TaskKind.Retrieval)
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
