using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;
using Portal.Worker.Execution;
using Portal.Worker.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Worker.Validation;

/// <summary>
/// Validates a registered checkpoint in this worker process: the engine loads the file (format, architecture, keys —
/// hostile or malformed files fail here), then embeds a test image; the embedding must have the announced size and be
/// finite. A rejected upload's file is deleted, so nothing half-usable stays on disk. A checkpoint that kills the
/// process is counted by its supervisor (<see cref="WorkerLoss"/>) and rejected after too many deaths.
/// </summary>
public sealed class EncoderValidation(
    IDbContextFactory<PortalDbContext> dbFactory, ModelFactory models, TorchScriptProbe torchScriptProbe, CheckpointImport import, DataPaths paths, RemoteFiles files,
    WorkerIdentity identity, IOptions<PortalOptions> options, ILogger<EncoderValidation> log)
{
    public void Validate(int id)
    {
        using var db = dbFactory.CreateDbContext();
        var e = db.Encoders.Find(id);
        if (e == null || e.Status != EncoderStatus.Validating) return;
        if (e.ValidatingWorker != null && e.ValidatingWorker != identity.Name)
        {
            // Another worker holds it (a second delivery); WorkerLoss releases it if that worker dies.
            log.LogInformation("encoder {Id} is being validated by {Worker}", id, e.ValidatingWorker);
            return;
        }
        if (e.ValidationDeaths >= options.Value.Dispatch.MaxDeaths) return; // WorkerLoss already decided
        e.ValidatingWorker = identity.Name;
        db.SaveChanges();
        identity.SetCurrent(validationId: id);
        if (options.Value.Worker.CrashOnEncoderName is { Length: > 0 } crash && e.DisplayName == crash) CrashTestHook.Overflow(0);
        try
        {
            try
            {
                if (e.IsImporting) import.Import(db, e);
                var info = Inspect(e);
                e.Architecture = info.Architecture;
                e.Format = info.Format;
                e.EmbeddingDim = info.EmbeddingDim;
                e.ParameterCount = info.ParameterCount;
                e.InfoJson = JsonSerializer.Serialize(info);
                e.Status = EncoderStatus.Ready;
                e.RejectReason = null;
                log.LogInformation("encoder {Id} ({Name}) ready: {Arch}, dim {Dim}", e.Id, e.DisplayName, info.Architecture, info.EmbeddingDim);
            }
            catch (Exception ex) when (AwaitsTorchScriptApproval(e))
            {
                // TorchScript is code: keep the file so an admin can allow it (POST /api/encoders/{id}/allow-torchscript).
                e.Status = EncoderStatus.Rejected;
                e.Format = Portal.Web.Features.Admin.AdminActions.TorchScriptFormat;
                e.RejectReason = $"{ex.Message} — an admin can allow this checkpoint to load as TorchScript (POST /api/encoders/{e.Id}/allow-torchscript)";
                log.LogWarning("encoder {Id} ({Name}) is TorchScript and waits for an admin", e.Id, e.DisplayName);
            }
            catch (Exception ex)
            {
                e.Status = EncoderStatus.Rejected;
                e.RejectReason = ex.Message;
                if (e.OwnsFile && e.StoragePath != null && File.Exists(e.StoragePath))
                {
                    try { File.Delete(e.StoragePath); } catch (IOException io) { log.LogWarning(io, "could not delete rejected checkpoint {Path}", e.StoragePath); }
                    e.StoragePath = null;
                }
                if (e.SourceUrl != null) import.DeleteFolder(e.Id);
                // A rejected variant's head/adapter copies go too (its parent's checkpoint is not the variant's to delete).
                EncoderVariants.DeleteAdapters(e, paths, log);
                if (e.IsVariant) (e.MlpHeadPath, e.LoraPath) = (null, null);
                log.LogWarning("encoder {Id} ({Name}) rejected: {Reason}", e.Id, e.DisplayName, ex.Message);
            }
            e.ValidatingWorker = null;
            e.ValidatedAt = DateTime.UtcNow;
            db.SaveChanges();
        }
        finally
        {
            identity.SetCurrent();
            Portal.Engine.Runtime.Memory.NativeHeap.Release();
        }
    }

    private bool AwaitsTorchScriptApproval(EncoderRecord e) =>
        !models.LoadOptions(e).AllowTorchScript && e.StoragePath != null && File.Exists(e.StoragePath)
        && Portal.Engine.Checkpoints.CheckpointLoader.Detect(e.StoragePath) == Portal.Engine.Checkpoints.CheckpointLoader.Kind.TorchScript;

    private EncoderInfo Inspect(EncoderRecord e)
    {
        if (e.StoragePath == null) throw new FileNotFoundException("the encoder has no checkpoint file");
        // The web's path when this worker sees it, else a copy fetched from the web (the record keeps the web's path).
        var path = files.LocalCheckpoint(e)!;
        var options = models.LoadOptions(e);
        // A TorchScript module that crashes libtorch must crash a child process, not the portal.
        if (options.AllowTorchScript && Portal.Engine.Checkpoints.CheckpointLoader.Detect(path) == Portal.Engine.Checkpoints.CheckpointLoader.Kind.TorchScript)
            torchScriptProbe.Check(path);
        using var encoder = EncoderLoader.Load(path, options);
        var info = encoder.Info;
        using var scope = torch.NewDisposeScope();
        var p = info.Preprocessing;
        var image = Resize.Apply(TestImage(256, 256), p).to(encoder.Device);
        Tensor emb;
        using (torch.no_grad()) emb = encoder.Forward(image);
        if (emb.dim() != 2 || emb.shape[0] != 1 || emb.shape[1] != info.EmbeddingDim)
            throw new InvalidDataException($"forward pass on a test image gave shape [{string.Join(", ", emb.shape)}], expected [1, {info.EmbeddingDim}]");
        if (!emb.isfinite().all().item<bool>())
            throw new InvalidDataException("forward pass on a test image gave non-finite values (NaN/Inf): the weights are broken");
        return info;
    }

    /// <summary>A deterministic smooth colour pattern (no file needed): 1×3×H×W in [0,1].</summary>
    private static Tensor TestImage(int h, int w)
    {
        using var scope = torch.NewDisposeScope();
        var y = torch.linspace(0, 1, h).reshape(1, h, 1).expand(1, h, w);
        var x = torch.linspace(0, 1, w).reshape(1, 1, w).expand(1, h, w);
        var img = torch.cat([x, y, (x * 6.28).sin() * 0.5 + 0.5], 0).unsqueeze(0).contiguous();
        return img.MoveToOuterDisposeScope();
    }
}
