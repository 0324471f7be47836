using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Encoders;

/// <summary>Deleting an encoder: admins any, a researcher their own that was rejected or never used (the encoder page, DELETE /api/encoders/{id}).</summary>
public sealed class EncoderDeletion(IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, ILogger<EncoderDeletion> log, EncoderEvents events)
{
    /// <summary>
    /// Removes an encoder with its jobs, stored items and results, and the checkpoint file when the portal owns it.
    /// Refused while the encoder is being validated or has queued/running jobs (cancel those first).
    /// </summary>
    /// <param name="requester">Null for the portal itself; a researcher may delete only an encoder they registered that was
    /// rejected or has never been used (no job, no result); admins any.</param>
    public async Task DeleteEncoderAsync(int encoderId, CancellationToken ct, ClaimsPrincipal? requester = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.Encoders.FindAsync([encoderId], ct) ?? throw new KeyNotFoundException($"no encoder {encoderId}");
        if (requester != null && !requester.IsAdmin())
        {
            if (!requester.MaySee(e)) throw new KeyNotFoundException($"no encoder {encoderId}");
            if (e.SubmittedBy == null || e.SubmittedBy != requester.UserId())
                throw new UnauthorizedAccessException($"encoder {encoderId} was registered by someone else: only its submitter or an admin can delete it");
            if (e.Status != EncoderStatus.Rejected && (await db.Jobs.AnyAsync(j => j.EncoderId == encoderId, ct) || await db.Results.AnyAsync(r => r.EncoderId == encoderId, ct)))
                throw new StateConflictException($"encoder {encoderId} has jobs or results on the boards: only an admin can delete it", "in use");
        }
        if (e.Status == EncoderStatus.Validating) throw new InvalidOperationException($"encoder {encoderId} is still being validated; delete it once validation ends");
        var active = await db.Jobs.CountAsync(j => j.EncoderId == encoderId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running), ct);
        if (active > 0) throw new InvalidOperationException($"encoder {encoderId} has {active} queued or running job(s); cancel them first");
        var variants = await db.Encoders.Where(v => v.ParentEncoderId == encoderId && (v.MlpHeadPath != null || v.LoraPath != null)).Select(v => v.Id).ToListAsync(ct);
        if (variants.Count > 0)
            throw new InvalidOperationException($"encoder {encoderId} has fine-tuned variant(s) {string.Join(", ", variants)} that load its checkpoint; delete them first");

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var jobIds = db.Jobs.Where(j => j.EncoderId == encoderId).Select(j => j.Id);
            await db.Items.Where(i => jobIds.Contains(i.JobId)).ExecuteDeleteAsync(ct);
            var resultIds = db.Results.Where(r => r.EncoderId == encoderId).Select(r => r.Id);
            await db.ResultSplits.Where(s => resultIds.Contains(s.ResultId)).ExecuteDeleteAsync(ct);
            await db.Results.Where(r => r.EncoderId == encoderId).ExecuteDeleteAsync(ct);
            await db.Jobs.Where(j => j.EncoderId == encoderId).ExecuteDeleteAsync(ct);
            await db.Encoders.Where(x => x.Id == encoderId).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        // The file goes last: if the process dies before, a stray file is harmless; a record without its file is not.
        if (e.OwnsFile && e.StoragePath != null && File.Exists(e.StoragePath)) File.Delete(e.StoragePath);
        EncoderVariants.DeleteAdapters(e, paths, log);
        log.LogInformation("encoder {Id} ({Name}) deleted", encoderId, e.DisplayName);
        events.Changed(encoderId);
    }
}
