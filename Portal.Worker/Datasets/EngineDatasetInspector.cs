using Portal.Data.Entities;
using Portal.Web.Features.Retrieval;
using Portal.Web.Features.Benchmarks;

namespace Portal.Worker.Datasets;

/// <summary>The worker's <see cref="IDatasetInspector"/>: the engine reads the dataset in this process.</summary>
public sealed class EngineDatasetInspector : IDatasetInspector
{
    public Task<BenchmarkShape> DescribeAsync(TaskKind kind, string format, string root, string split, CancellationToken ct) =>
        Task.FromResult(TaskDatasets.Describe(kind, format, root, split));
}
