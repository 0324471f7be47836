using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Fetch;
using Portal.Web.Http;

namespace Portal.Web.Features.Datasets;

/// <summary>One catalog dataset and what the portal has of it: the latest fetch and the benchmark registered from it.</summary>
public sealed record DatasetRow(DatasetEntry Entry, DatasetFetchRecord? Latest, BenchmarkRecord? Benchmark);

/// <summary>
/// Admins fetch benchmark datasets by name. The web writes the request and hands it to a worker (the download, checks,
/// extraction and registration happen there: Portal.Worker/Datasets/DatasetFetchRun.cs); pages follow the record.
/// </summary>
public sealed class DatasetFetches(IDbContextFactory<PortalDbContext> dbFactory, Dispatch.JobDispatcher dispatcher, ILogger<DatasetFetches> log)
{
    public async Task<DatasetFetchRecord> StartAsync(string? name, string? requestedBy, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"name the dataset: one of {string.Join(", ", DatasetCatalog.All.Select(d => d.Name))}");
        DatasetEntry entry;
        try { entry = DatasetCatalog.Get(name.Trim()); }
        catch (FetchException e) { throw new ArgumentException(e.Message); }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.DatasetFetches.AsNoTracking().FirstOrDefaultAsync(f => f.Dataset == entry.Name && (f.Status == DatasetFetchStatus.Queued || f.Status == DatasetFetchStatus.Running), ct) is { } open)
            throw new StateConflictException($"{entry.Name} is already being fetched (request {open.Id})", open.Status.ToString().ToLowerInvariant());
        if (await db.Benchmarks.AsNoTracking().FirstOrDefaultAsync(b => b.Name == entry.Name, ct) is { } known)
            throw new StateConflictException($"{entry.Name} is already registered as benchmark {known.Id}", "registered");
        var now = DateTime.UtcNow;
        var f = new DatasetFetchRecord { Dataset = entry.Name, Status = DatasetFetchStatus.Queued, Phase = "waiting for a worker", RequestedBy = requestedBy, CreatedAt = now, UpdatedAt = now };
        db.DatasetFetches.Add(f);
        await db.SaveChangesAsync(ct);
        dispatcher.EnqueueDatasetFetch(f.Id);
        log.LogInformation("dataset fetch {Id} of {Name} queued", f.Id, entry.Name);
        return f;
    }

    public async Task<DatasetFetchRecord?> GetAsync(int id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.DatasetFetches.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
    }

    public async Task<List<DatasetFetchRecord>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.DatasetFetches.AsNoTracking().OrderByDescending(f => f.Id).Take(200).ToListAsync(ct);
    }

    /// <summary>Every catalog dataset with its latest fetch and its benchmark (by the catalog name).</summary>
    public async Task<List<DatasetRow>> CatalogAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var names = DatasetCatalog.All.Select(d => d.Name).ToList();
        var fetches = await db.DatasetFetches.AsNoTracking().Where(f => names.Contains(f.Dataset)).OrderByDescending(f => f.Id).ToListAsync(ct);
        var benches = await db.Benchmarks.AsNoTracking().Where(b => names.Contains(b.Name)).ToListAsync(ct);
        return DatasetCatalog.All.Select(d => new DatasetRow(d, fetches.FirstOrDefault(f => f.Dataset == d.Name), benches.FirstOrDefault(b => b.Name == d.Name))).ToList();
    }
}
