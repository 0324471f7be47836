using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Fetch;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Configuration;
using Portal.Worker.Execution;

namespace Portal.Worker.Datasets;

/// <summary>
/// Runs an admin's dataset fetch (Web/Features/Datasets) in this worker: the engine's <see cref="DatasetFetcher"/> into
/// the data folder's datasets/ (official locations, resumable part files, sizes and checksums pinned at first download
/// and checked after, safe extraction, nothing registered unless complete), then the folder is registered as a
/// benchmark in the same step. A worker that dies leaves its part files; the fetch goes back to the queue and the next
/// worker resumes them.
/// </summary>
public sealed class DatasetFetchRun(
    IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, BenchmarkRegistry benchmarks, RemoteFiles files, WorkerIdentity identity,
    IOptions<PortalOptions> options, ILogger<DatasetFetchRun> log)
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task RunAsync(int id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var f = await db.DatasetFetches.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (f == null || f.Status != DatasetFetchStatus.Queued) return; // done, failed, or another worker has it
        (f.Status, f.WorkerId, f.Phase, f.UpdatedAt) = (DatasetFetchStatus.Running, identity.Name, "starting", DateTime.UtcNow);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return; }
        try
        {
            // The benchmark's folder must be where every worker reads datasets: this worker's copy would be its own.
            if (files.WorksOnCopies)
                throw new FetchException($"worker {identity.Name} does not mount the storage root (Portal:Worker:SharedStorage=false): run the fetch on a worker that does, or `portal datasets fetch` on each machine");
            var settings = options.Value.Imports;
            var fetchOptions = new FetchOptions { AllowedHosts = settings.AllowedHosts, MaxBytes = long.MaxValue, Progress = Reporter(id) };
            var result = await new DatasetFetcher(fetchOptions).FetchAsync(f.Dataset, paths.Datasets, settings.DatasetBaseUrl, ct, line => Phase(id, line));
            Phase(id, "registering the benchmark");
            var entry = DatasetCatalog.Get(f.Dataset);
            var bench = await benchmarks.RegisterAsync(new BenchmarkRequest(entry.Name, result.Root, entry.Format, entry.Split,
                $"{entry.Name}, fetched from its official location ({entry.Source})", entry.TaskKind), isDemo: false, ct);
            await db.Entry(f).ReloadAsync(ct);
            (f.Status, f.Root, f.BenchmarkId, f.Phase, f.Error) = (DatasetFetchStatus.Succeeded, result.Root, bench.Id, null, null);
            f.FilesJson = JsonSerializer.Serialize(result.Files, Json);
            log.LogInformation("dataset {Name} fetched into {Root} and registered as benchmark {Bench}", f.Dataset, result.Root, bench.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await db.Entry(f).ReloadAsync(CancellationToken.None);
            (f.Status, f.Error) = (DatasetFetchStatus.Failed, e.Message);
            log.LogWarning("dataset fetch {Id} ({Name}) failed: {Message}", id, f.Dataset, e.Message);
        }
        f.WorkerId = null;
        f.FinishedAt = f.UpdatedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private void Phase(int id, string text)
    {
        var line = text.Length > 300 ? text[..300] : text;
        Update(id, s => s.SetProperty(x => x.Phase, line).SetProperty(x => x.BytesDone, 0L).SetProperty(x => x.BytesTotal, (long?)null).SetProperty(x => x.UpdatedAt, DateTime.UtcNow));
    }

    private Action<long, long?> Reporter(int id) => ThrottledProgress.Every(ProgressEvery, (bytes, total) =>
        Update(id, s => s.SetProperty(x => x.BytesDone, bytes).SetProperty(x => x.BytesTotal, total).SetProperty(x => x.UpdatedAt, DateTime.UtcNow)));

    private void Update(int id, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<DatasetFetchRecord>> set)
    {
        try
        {
            using var db = dbFactory.CreateDbContext();
            db.DatasetFetches.Where(x => x.Id == id).ExecuteUpdate(set);
        }
        catch (Exception x) { log.LogWarning("could not record the progress of dataset fetch {Id}: {Message}", id, x.Message); }
    }
}
