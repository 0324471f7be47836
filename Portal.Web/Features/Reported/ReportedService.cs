using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Reported;

namespace Portal.Web.Features.Reported;

/// <summary>A reported model an encoder can be linked to, as the paper names it.</summary>
public sealed record ReportedModelName(string Method, string Encoder, string Training)
{
    public string Label => $"{Method} {Encoder} ({Training})";
}

/// <summary>Reads reported results and links encoders to reported models.</summary>
public sealed class ReportedService(IDbContextFactory<PortalDbContext> dbFactory)
{
    public static readonly string[] Filters = ["paper", "table", "method", "encoder", "training", "benchmark", "split", "metric", "threat"];

    public async Task<List<ReportedResultRecord>> ListAsync(IReadOnlyDictionary<string, string> filters, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.ReportedResults.AsNoTracking();
        foreach (var (name, value) in filters)
            q = name switch
            {
                "paper" => q.Where(r => r.Paper == value), "table" => q.Where(r => r.Table == value), "method" => q.Where(r => r.Method == value),
                "encoder" => q.Where(r => r.Encoder == value), "training" => q.Where(r => r.Training == value), "benchmark" => q.Where(r => r.Benchmark == value),
                "split" => q.Where(r => r.Split == value), "metric" => q.Where(r => r.Metric == value), "threat" => q.Where(r => r.Threat == value),
                _ => throw new ArgumentException($"unknown filter '{name}'"),
            };
        var rows = await q.ToListAsync(ct);
        return rows.OrderBy(r => r.Paper, StringComparer.Ordinal).ThenBy(r => ReportedCsv.TableOrder(r.Table)).ThenBy(r => r.Table, StringComparer.Ordinal).ThenBy(r => r.Row).ToList();
    }

    public async Task<List<ReportedModelName>> ModelsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var all = await db.ReportedResults.AsNoTracking().Select(r => new { r.Method, r.Encoder, r.Training }).Distinct().ToListAsync(ct);
        return all.Select(m => new ReportedModelName(m.Method, m.Encoder, m.Training)).OrderBy(m => m.Method, StringComparer.Ordinal)
            .ThenBy(m => m.Encoder, StringComparer.Ordinal).ThenBy(m => m.Training, StringComparer.Ordinal).ToList();
    }

    /// <summary>Links (or, with null, unlinks) an encoder. KeyNotFound for no such encoder, Argument for no such reported model.</summary>
    public async Task<ReportedModelName?> LinkAsync(int encoderId, ReportedModelName? model, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.Encoders.FirstOrDefaultAsync(x => x.Id == encoderId, ct) ?? throw new KeyNotFoundException($"no encoder {encoderId}");
        if (model != null)
        {
            if (string.IsNullOrWhiteSpace(model.Method) || string.IsNullOrWhiteSpace(model.Encoder) || string.IsNullOrWhiteSpace(model.Training))
                throw new ArgumentException("give method, encoder and training of a reported model (GET /api/reported/models lists them)");
            if (!await db.ReportedResults.AnyAsync(r => r.Method == model.Method && r.Encoder == model.Encoder && r.Training == model.Training, ct))
                throw new ArgumentException($"no reported model '{model.Method}' / '{model.Encoder}' / '{model.Training}' (GET /api/reported/models lists them)");
        }
        (e.ReportedMethod, e.ReportedBackbone, e.ReportedTraining) = (model?.Method, model?.Encoder, model?.Training);
        await db.SaveChangesAsync(ct);
        return model;
    }

    public static ReportedModelName? LinkOf(EncoderRecord e) =>
        e.ReportedMethod is { } m ? new ReportedModelName(m, e.ReportedBackbone ?? "", e.ReportedTraining ?? "") : null;

    public async Task<ReportedImportSummary> ImportShippedAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ReportedImporter.ImportShippedAsync(db, ct);
    }
}

/// <summary>Imports the shipped tables at start-up (idempotent: unchanged rows are left alone); Portal:Reported:Seed=false skips it.</summary>
public sealed class ReportedSeeder(ReportedService service, IConfiguration config, ILogger<ReportedSeeder> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (!config.GetValue("Portal:Reported:Seed", true)) return;
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var s = await service.ImportShippedAsync(ct);
            log.LogInformation("reported results: {Rows} rows ({Added} added, {Updated} updated, {Removed} removed) in {Ms} ms", s.Rows, s.Added, s.Updated, s.Removed, watch.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The boards still work without them; the next start tries again.
            log.LogError(e, "importing the shipped reported results failed");
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
