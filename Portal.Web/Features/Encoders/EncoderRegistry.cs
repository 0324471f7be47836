using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;
using Portal.Web.Http;

namespace Portal.Web.Features.Encoders;

/// <summary>
/// Registers checkpoints: streamed uploads, resumable uploads, files already on the server, and built-in baselines.
/// Each distinct file (by sha256) is stored and recorded once; registering the same bytes again returns the existing record.
/// </summary>
public sealed class EncoderRegistry(
    IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, IOptions<PortalOptions> options,
    Dispatch.JobDispatcher dispatcher, EncoderEvents events, ServerFiles serverFiles, ILogger<EncoderRegistry> log)
{
    // Serialises the check-then-insert on sha256 (the unique index is the backstop).
    internal static readonly SemaphoreSlim RegisterLock = new(1, 1);

    public long MaxUploadBytes => options.Value.MaxUploadBytes;

    /// <summary>Streams a request body to disk while hashing it, then registers it. Throws <see cref="UploadTooLargeException"/> after recording the rejection.</summary>
    public async Task<RegistrationOutcome> UploadAsync(Stream body, long? declaredLength, EncoderMetadata meta, CancellationToken ct)
    {
        meta = EncoderFields.Clean(meta); // before a byte is read: a bad field costs the client nothing
        if (declaredLength > MaxUploadBytes) return await RecordUploadRejection(meta, declaredLength.Value, new UploadTooLargeException(MaxUploadBytes).Message, ct);
        var temp = Path.Combine(paths.Uploads, $"upload-{Guid.NewGuid():N}.tmp");
        StreamingReceiver.Received received;
        try
        {
            received = await StreamingReceiver.ReceiveAsync(body, temp, MaxUploadBytes, ct);
        }
        catch (UploadTooLargeException e)
        {
            return await RecordUploadRejection(meta, declaredLength ?? MaxUploadBytes + 1, e.Message, ct);
        }
        return await RegisterReceivedFileAsync(received.Path, received.Length, received.Sha256, meta, ct);
    }

    /// <summary>Takes ownership of a complete file in the uploads folder: empty → rejected, known bytes → linked, else stored and queued for validation.</summary>
    public async Task<RegistrationOutcome> RegisterReceivedFileAsync(string tempPath, long length, string sha256, EncoderMetadata meta, CancellationToken ct)
    {
        try
        {
            meta = EncoderFields.Clean(meta);
            if (length == 0)
                return await RecordUploadRejection(meta, 0, "file is empty (0 bytes)", ct);
            await RegisterLock.WaitAsync(ct);
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                var existing = await db.Encoders.FirstOrDefaultAsync(e => e.Sha256 == sha256, ct);
                if (existing != null && existing.Status != EncoderStatus.Rejected)
                    return new RegistrationOutcome(existing, Duplicate: true);

                var stored = paths.CheckpointFor(sha256);
                File.Move(tempPath, stored, overwrite: true);
                var record = existing ?? new EncoderRecord { DisplayName = DisplayName(meta, sha256), CreatedAt = DateTime.UtcNow };
                Apply(record, meta, sha256);
                // The same bytes were rejected before: the engine may have learned to read them since, so validate again.
                await SaveForValidation(db, record, isNew: existing == null, length, stored, ownsFile: true, ct);
                log.LogInformation("encoder {Id} stored ({Bytes} bytes, sha256 {Sha}), validating", record.Id, length, sha256);
                return new RegistrationOutcome(record, Duplicate: existing != null);
            }
            finally
            {
                RegisterLock.Release();
            }
        }
        finally
        {
            StreamingReceiver.TryDelete(tempPath);
        }
    }

    /// <summary>Registers a file already on the server in place (no copy): hashed streaming, then validated like an upload.</summary>
    public async Task<RegistrationOutcome> RegisterServerFileAsync(string path, EncoderMetadata meta, CancellationToken ct)
    {
        meta = EncoderFields.Clean(meta);
        if (!options.Value.AllowServerFileRegistration)
            throw new UnauthorizedAccessException("registering server files is disabled (Portal:AllowServerFileRegistration)");
        var full = serverFiles.File(path);
        var length = new FileInfo(full).Length;
        if (length == 0) return await RecordUploadRejection(meta with { FileName = meta.FileName ?? Path.GetFileName(full) }, 0, $"{full}: file is empty (0 bytes)", ct);
        var sha = await StreamingReceiver.HashFileAsync(full, ct);

        await RegisterLock.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var existing = await db.Encoders.FirstOrDefaultAsync(e => e.Sha256 == sha, ct);
            if (existing != null && existing.Status != EncoderStatus.Rejected) return new RegistrationOutcome(existing, true);
            var record = existing ?? new EncoderRecord { DisplayName = DisplayName(meta with { FileName = meta.FileName ?? Path.GetFileName(full) }, sha), CreatedAt = DateTime.UtcNow };
            Apply(record, meta, sha);
            await SaveForValidation(db, record, isNew: existing == null, length, full, ownsFile: false, ct);
            return new RegistrationOutcome(record, existing != null);
        }
        finally
        {
            RegisterLock.Release();
        }
    }

    /// <summary>Registers a built-in pixel baseline (ready at once; nothing to validate).</summary>
    public async Task<EncoderRecord> RegisterBuiltinAsync(string name, int size, string displayName, string description, CancellationToken ct)
    {
        displayName = EncoderFields.Line(displayName, "display_name", EncoderFields.MaxName) ?? throw new ArgumentException("display_name is empty");
        var path = BuiltinModels.Path(name, size);
        var sha = Portal.Engine.Checkpoints.FileHash.Sha256(System.Text.Encoding.UTF8.GetBytes(path));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.Encoders.FirstOrDefaultAsync(e => e.Sha256 == sha, ct);
        if (existing != null) return existing;
        var record = new EncoderRecord
        {
            DisplayName = displayName, Family = "pixel baseline", Backbone = name, Architecture = name, Format = "builtin",
            EmbeddingDim = 3 * size * size, ParameterCount = 0, Sha256 = sha, StoragePath = path, IsBuiltin = true,
            Status = EncoderStatus.Ready, Description = description, Submitter = "portal", CreatedAt = DateTime.UtcNow, ValidatedAt = DateTime.UtcNow,
        };
        db.Encoders.Add(record);
        await db.SaveChangesAsync(ct);
        events.Changed(record.Id);
        return record;
    }

    /// <summary>An upload refused before its bytes were stored (empty, over the limit): recorded as rejected with no file.</summary>
    private async Task<RegistrationOutcome> RecordUploadRejection(EncoderMetadata meta, long length, string reason, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var record = new EncoderRecord
        {
            DisplayName = DisplayName(meta, null), SizeBytes = length, Status = EncoderStatus.Rejected, RejectReason = reason,
            CreatedAt = DateTime.UtcNow, ValidatedAt = DateTime.UtcNow,
        };
        Apply(record, meta, null);
        db.Encoders.Add(record);
        await db.SaveChangesAsync(CancellationToken.None);
        events.Changed(record.Id);
        log.LogWarning("upload rejected: {Reason}", reason);
        return new RegistrationOutcome(record, false);
    }

    /// <summary>The submitter's metadata onto a record (what they left out keeps the record's value).</summary>
    internal static void Apply(EncoderRecord r, EncoderMetadata m, string? sha)
    {
        r.Sha256 = sha;
        if (m.Name != null) r.DisplayName = m.Name;
        r.Family = m.Family ?? r.Family;
        r.Backbone = m.Backbone ?? r.Backbone;
        r.ArchitectureOverride = m.Architecture ?? r.ArchitectureOverride;
        r.Submitter = m.Submitter ?? r.Submitter;
        r.SubmittedBy ??= m.SubmittedBy;
        r.Description = m.Description ?? r.Description;
        r.PaperUrl = m.PaperUrl ?? r.PaperUrl;
        r.LicenseUrl = m.LicenseUrl ?? r.LicenseUrl;
        r.TrainingData = m.TrainingData ?? r.TrainingData;
    }

    private static string DisplayName(EncoderMetadata m, string? sha) =>
        m.Name ?? m.FileName ?? (sha != null ? "checkpoint " + sha[..12] : "upload");

    /// <summary>Points the record at its file, marks it validating, saves it and hands it to the background validator.</summary>
    internal async Task SaveForValidation(PortalDbContext db, EncoderRecord record, bool isNew, long length, string path, bool ownsFile, CancellationToken ct)
    {
        record.SizeBytes = length;
        record.StoragePath = path;
        record.OwnsFile = ownsFile;
        record.Status = EncoderStatus.Validating;
        record.RejectReason = null;
        if (isNew) db.Encoders.Add(record);
        await db.SaveChangesAsync(ct);
        dispatcher.EnqueueValidation(record.Id);
        events.Changed(record.Id);
    }
}
