using Portal.Data.Entities;
namespace Portal.Web.Features.Benchmarks;

/// <summary>
/// Reads a retrieval or detection dataset folder and describes it (queries, splits, version hash). The engine does the
/// reading; the web's implementation runs it in a child `portal datasets describe`, the worker's calls it directly.
/// </summary>
public interface IDatasetInspector
{
    Task<BenchmarkShape> DescribeAsync(TaskKind kind, string format, string root, string split, CancellationToken ct);
}
