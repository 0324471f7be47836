using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Jobs;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Admin;

/// <summary>Admin-only changes to what the leaderboards show: delete a result, re-run a job, allow a TorchScript checkpoint.
/// Deleting an encoder is Features/Encoders/EncoderDeletion.cs (its submitter may delete it too).</summary>
public sealed class AdminActions(IDbContextFactory<PortalDbContext> dbFactory, JobQueue queue, ILogger<AdminActions> log, Encoders.EncoderEvents events)
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
        events.Changed(encoderId); // its pages refresh; the cached boards and lists are evicted (Http/ReadCache.cs)
    }

    /// <summary>EncoderRecord.Format of a TorchScript file waiting for an admin (set by the worker's validation).</summary>
    public const string TorchScriptFormat = "torchscript";

    /// <summary>
    /// States what an encoder learned perceptual similarity from (null or blank: not stated), one line like the
    /// submitter's fields; its boards say it from now on, and a NIGHTS-tuned model is marked on NIGHTS boards.
    /// </summary>
    public async Task<EncoderRecord> SetTrainingDataAsync(int encoderId, string? trainingData, CancellationToken ct)
    {
        var value = EncoderFields.Line(trainingData, "training_data", EncoderFields.MaxLine);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.Encoders.FindAsync([encoderId], ct) ?? throw new KeyNotFoundException($"no encoder {encoderId}");
        e.TrainingData = value;
        await db.SaveChangesAsync(ct);
        log.LogInformation("encoder {Id} ({Name}): training data set to '{Value}' by an admin", e.Id, e.DisplayName, value ?? "not stated");
        events.Changed(encoderId);
        return e;
    }

    /// <summary>
    /// Lets one TorchScript checkpoint load although the server-wide Engine:AllowTorchScript is off, and validates it again.
    /// </summary>
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

    /// <summary>
    /// Evaluates the job's encoder × benchmark × configuration again from scratch: the stored result for that combination
    /// (which identical requests would otherwise reuse) is deleted and a new job is queued.
    /// </summary>
    public async Task<SubmittedJob> RerunAsync(int jobId, string? submittedBy, CancellationToken ct)
    {
        JobRecord job;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            job = await db.Jobs.AsNoTracking().Include(j => j.Encoder).Include(j => j.Dataset).FirstOrDefaultAsync(j => j.Id == jobId, ct)
                ?? throw new KeyNotFoundException($"no job {jobId}");
            if (job.Status is JobStatus.Queued or JobStatus.Running) throw new InvalidOperationException($"job {jobId} is {job.Status.ToString().ToLowerInvariant()}; wait for it to end or cancel it");
            var previous = await db.Results.Where(r => r.EncoderSha256 == job.Encoder!.Sha256 && r.DatasetVersion == job.Dataset!.VersionHash && r.ConfigKey == job.ConfigKey)
                .Select(r => (int?)r.Id).FirstOrDefaultAsync(ct);
            if (previous is int id) await DeleteResultAsync(id, ct);
        }
        var submitted = await queue.SubmitAsync(new JobRequest(job.EncoderId, job.DatasetId, Config: job.Config), ct, submittedBy);
        return submitted[0];
    }
}
