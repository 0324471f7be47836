using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Encoders;

/// <summary>Everything the encoder pages show: the record, its results (with splits and benchmark) and its jobs.</summary>
public sealed class EncoderPageQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    public sealed record EncoderDetails(EncoderRecord Encoder, List<ResultRecord> Results, List<JobRecord> Jobs);
    public sealed record EncoderSummary(EncoderRecord Encoder, int Results);

    /// <summary>Null when there is no such encoder, or when it is a rejected upload the viewer may not see.</summary>
    public async Task<EncoderDetails?> DetailsAsync(int id, ClaimsPrincipal viewer, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.Encoders.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (e == null || !viewer.MaySee(e)) return null;
        var results = await db.Results.AsNoTracking().Include(r => r.Splits).Include(r => r.Dataset).Include(r => r.Encoder).Where(r => r.EncoderId == id && !(r.Dataset is TrainingImageSetRecord))
            .AsSplitQuery().ToListAsync(ct);
        var jobs = await db.Jobs.AsNoTracking().Include(j => j.Dataset).Where(j => j.EncoderId == id).OrderByDescending(j => j.Id).ToListAsync(ct);
        // Benchmark, then clean before L∞ before L2, then newest first.
        results = results.OrderBy(r => r.Dataset?.Name).ThenBy(r => !r.Config.IsAttack ? 0 : r.Config.Norm == "linf" ? 1 : 2).ThenByDescending(r => r.CreatedAt).ToList();
        return new EncoderDetails(e, results, jobs);
    }

    /// <summary>For the variants card: the encoder a variant was made from (null otherwise) and the encoder's own variants.</summary>
    public async Task<(EncoderRecord? Parent, List<EncoderRecord> Variants)> VariantsAsync(EncoderRecord e, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var parent = e.IsVariant && e.ParentEncoderId is int p ? await db.Encoders.AsNoTracking().FirstOrDefaultAsync(x => x.Id == p, ct) : null;
        var variants = await db.Encoders.AsNoTracking().Where(x => x.ParentEncoderId == e.Id && (x.MlpHeadPath != null || x.LoraPath != null))
            .OrderBy(x => x.Id).ToListAsync(ct);
        return (parent, variants);
    }

    /// <summary>Newest first; rejected uploads only for their submitter and admins (Features/Accounts/Disclosure.cs).</summary>
    public async Task<List<EncoderSummary>> ListAsync(ClaimsPrincipal viewer, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var encoders = (await db.Encoders.AsNoTracking().OrderByDescending(e => e.Id).ToListAsync(ct)).Where(viewer.MaySee).ToList();
        var counts = await db.Results.AsNoTracking().GroupBy(r => r.EncoderId).Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        return encoders.Select(e => new EncoderSummary(e, counts.GetValueOrDefault(e.Id))).ToList();
    }
}
