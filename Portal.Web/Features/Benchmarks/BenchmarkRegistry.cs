using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Datasets;
using Portal.Engine.TwoAfc;

namespace Portal.Web.Features.Benchmarks;

public sealed record BenchmarkRequest(string Name, string DatasetRoot, string Format = "nights", string Split = "test", string? Description = null, string? TaskKind = null);

/// <summary>Registers dataset folders on the server as benchmarks (read through the engine's dataset readers) and reloads them for jobs.</summary>
public sealed class BenchmarkRegistry(IDbContextFactory<PortalDbContext> dbFactory, IDatasetInspector inspector)
{
    public static readonly string[] Formats = ["nights", "bapps"];

    /// <summary>The task kind a dataset format belongs to: 2afc (nights, bapps), retrieval or detection.</summary>
    public static TaskKind TaskKindOf(string format) =>
        Formats.Contains(format) ? TaskKind.TwoAfc : TaskBenchmarks.TaskKindOf(format)
        ?? throw new ArgumentException($"unknown dataset format '{format}' (supported: {string.Join(", ", Formats.Concat(TaskBenchmarks.Formats))})");

    public static TwoAfcDatasetLoad Load(string format, string root, string split) => format switch
    {
        "nights" => NightsReader.Load(root, split),
        "bapps" => BappsReader.Load(root, split),
        _ => throw new ArgumentException($"unknown dataset format '{format}' (supported: {string.Join(", ", Formats)})"),
    };

    public async Task<BenchmarkRecord> RegisterAsync(BenchmarkRequest req, bool isDemo, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(req.Name)) throw new ArgumentException("a benchmark needs a name");
        var root = Path.GetFullPath(req.DatasetRoot);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"dataset folder not found on the server: {root}");
        var kind = TaskKindOf(req.Format);
        if (req.TaskKind != null && req.TaskKind != kind.Key())
            throw new ArgumentException($"format '{req.Format}' is a {kind.Key()} layout, not task kind '{req.TaskKind}'");
        if (kind != TaskKind.TwoAfc) return await SaveAsync(req, root, await inspector.DescribeAsync(kind, req.Format, root, req.Split, ct), isDemo, ct);
        var load = Load(req.Format, root, req.Split);
        if (load.Bad.Count > 0)
            throw new InvalidDataException($"{load.Bad.Count} unreadable item(s) in {root}: " +
                string.Join("; ", load.Bad.Take(10).Select(b => $"{b.Id} {b.Path}: {b.Reason}")) + (load.Bad.Count > 10 ? " ..." : ""));
        if (load.Items.Count == 0) throw new InvalidDataException($"split '{req.Split}' of {root} has no items");
        var version = BenchmarkVersion.Compute(TaskKind.TwoAfc, req.Format, req.Split, root, load.Items);
        var splits = string.Join(",", load.Items.Select(i => i.Split).Distinct().OrderBy(s => s, StringComparer.Ordinal));
        return await SaveAsync(req, root, new BenchmarkShape(TaskKind.TwoAfc, load.Items.Count, splits, version), isDemo, ct);
    }

    private async Task<BenchmarkRecord> SaveAsync(BenchmarkRequest req, string root, BenchmarkShape shape, bool isDemo, CancellationToken ct)
    {
        var version = shape.Version;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.FindNamedAsync<BenchmarkRecord>(req.Name, ct);
        if (existing != null)
        {
            if (existing.VersionHash == version && existing.DatasetRoot == root) return existing;
            throw new InvalidOperationException($"a benchmark named '{req.Name}' already exists with different contents; choose another name");
        }
        var record = new BenchmarkRecord
        {
            Name = req.Name, TaskKind = shape.TaskKind, Format = req.Format, DatasetRoot = root, Split = req.Split,
            Splits = shape.Splits, ItemCount = shape.Items, VersionHash = version, IsDemo = isDemo, Description = req.Description, CreatedAt = DateTime.UtcNow,
        };
        db.Benchmarks.Add(record);
        await db.SaveChangesAsync(ct);
        return record;
    }
}
