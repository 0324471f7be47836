using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Jobs;

/// <summary>Read models for the pages (keeps the Razor components thin).</summary>
public sealed class PortalQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The benchmarks a researcher can submit to (2AFC, retrieval, detection; galleries and image sets are not benchmarks).</summary>
    public async Task<List<BenchmarkRecord>> BenchmarksAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Benchmarks.AsNoTracking().OrderBy(b => b.Id).ToListAsync(ct);
    }

    public sealed record JobsPage(List<JobRecord> Jobs, int Active, int All);

    /// <summary>One page of the queue, newest first: active jobs (queued, running) or all; with both tabs' counts.</summary>
    public async Task<JobsPage> JobsPageAsync(bool activeOnly, int offset, int limit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var active = await db.Jobs.CountAsync(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running, ct);
        var all = await db.Jobs.CountAsync(ct);
        var q = db.Jobs.AsNoTracking().Include(j => j.Encoder).Include(j => j.Dataset).AsQueryable();
        if (activeOnly) q = q.Where(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running);
        return new JobsPage(await q.OrderByDescending(j => j.Id).Skip(offset).Take(limit).ToListAsync(ct), active, all);
    }

    public async Task<(JobRecord? Job, ResultRecord? Result)> JobAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.Jobs.AsNoTracking().Include(j => j.Encoder).Include(j => j.Dataset).FirstOrDefaultAsync(j => j.Id == id, ct);
        var result = job?.ResultId is int rid ? await db.Results.AsNoTracking().Include(r => r.Splits).Include(r => r.Dataset).FirstOrDefaultAsync(r => r.Id == rid, ct) : null;
        return (job, result);
    }

    public static string Setting(JobConfig c) =>
        !c.IsAttack ? "Clean" : (c.Norm == "linf" ? $"L∞ {c.Eps * 255:0.##}/255" : $"L2 {c.Eps:0.##}") + " · " + Budget(c);

    /// <summary>"APGD 100" or "Square 5000 queries": what the attack was allowed to spend.</summary>
    public static string Budget(JobConfig c) => c.Attack == "square" ? $"Square {c.Queries} queries" : $"APGD {c.Iterations}";
}
