using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Jobs;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Admin;

/// <summary>Admin-only changes to what the leaderboards show: delete a result, delete an encoder, re-run a job.</summary>
public sealed class AdminActions(IDbContextFactory<PortalDbContext> dbFactory, JobQueue queue, Configuration.DataPaths paths, ILogger<AdminActions> log, Encoders.EncoderEvents events)
{
    /// <summary>Removes a result (and its per-split rows); jobs that pointed to it stay, without a result.</summary>
    public async Task DeleteResultAsync(int resultId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var encoderId = await db.Results.Where(r => r.Id == resultId).Select(r => (int?)r.EncoderId).FirstOrDefaultAsync(ct) ?? throw new KeyNotFoundException($"no result {resultId}");
        await db.Jobs.Where(j => j.ResultId == resultId).ExecuteUpdateAsync(s => s.SetProperty(j => j.ResultId, (int?)null), ct);
        await db.ResultSplits.Where(s => s.ResultId == resultId).ExecuteDeleteAsync(ct);
        await db.Results.Where(r => r.Id == resultId).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("result {Id} deleted", resultId);
        events.Changed(encoderId); // its pages refresh; the cached boards and lists are evicted (Services/ReadCache.cs)
    }

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
        Encoders.EncoderVariants.DeleteAdapters(e, paths, log);
        log.LogInformation("encoder {Id} ({Name}) deleted", encoderId, e.DisplayName);
        events.Changed(encoderId);
    }

    /// <summary>
    /// Evaluates the job's encoder × benchmark × configuration again from scratch: the stored result for that combination
    /// (which identical requests would otherwise reuse) is deleted and a new job is queued.
    /// </summary>
    /// <summary>
    /// Lets one TorchScript checkpoint load although the server-wide Engine:AllowTorchScript is off, and validates it again.
    /// </summary>
    /// <summary>EncoderRecord.Format of a TorchScript file waiting for an admin (set by the worker's validation).</summary>
    public const string TorchScriptFormat = "torchscript";

    public async Task<EncoderRecord> AllowTorchScriptAsync(int encoderId, Dispatch.JobDispatcher dispatcher, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.Encoders.FindAsync([encoderId], ct) ?? throw new KeyNotFoundException($"no encoder {encoderId}");
        if (e.StoragePath == null || e.IsBuiltin || !File.Exists(e.StoragePath))
            throw new InvalidOperationException($"encoder {encoderId} has no checkpoint file to allow");
        // The worker recorded the format when it refused the file (the web does not read checkpoints).
        if (e.Format != TorchScriptFormat)
            throw new InvalidOperationException($"encoder {encoderId} is not a TorchScript checkpoint");
        e.TorchScriptApproved = true;
        e.Status = EncoderStatus.Validating;
        e.RejectReason = null;
        await db.SaveChangesAsync(ct);
        log.LogWarning("encoder {Id} ({Name}) allowed to load as TorchScript by an admin", e.Id, e.DisplayName);
        dispatcher.EnqueueValidation(e.Id);
        return e;
    }

    public async Task<SubmittedJob> RerunAsync(int jobId, string? submittedBy, CancellationToken ct)
    {
        JobRecord job;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            job = await db.Jobs.AsNoTracking().Include(j => j.Encoder).Include(j => j.Benchmark).FirstOrDefaultAsync(j => j.Id == jobId, ct)
                ?? throw new KeyNotFoundException($"no job {jobId}");
            if (job.Status is JobStatus.Queued or JobStatus.Running) throw new InvalidOperationException($"job {jobId} is {job.Status.ToString().ToLowerInvariant()}; wait for it to end or cancel it");
            var previous = await db.Results.Where(r => r.EncoderSha256 == job.Encoder!.Sha256 && r.BenchmarkVersion == job.Benchmark!.VersionHash && r.ConfigKey == job.ConfigKey)
                .Select(r => (int?)r.Id).FirstOrDefaultAsync(ct);
            if (previous is int id) await DeleteResultAsync(id, ct);
        }
        var submitted = await queue.SubmitAsync(new JobRequest(job.EncoderId, job.BenchmarkId, Config: job.Config), ct, submittedBy);
        return submitted[0];
    }
}
