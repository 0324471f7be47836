using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Web.Encoders;

/// <summary>
/// Validates registered checkpoints in the background: the engine loads the file (format, architecture, keys — hostile
/// or malformed files fail here), then embeds a test image; the embedding must have the announced size and be finite.
/// A rejected upload's file is deleted, so nothing half-usable stays on disk.
/// </summary>
public sealed class EncoderValidator(
    IDbContextFactory<PortalDbContext> dbFactory, ValidationQueue queue, ModelFactory models,
    EncoderEvents events, TorchScriptProbe torchScriptProbe, Configuration.DataPaths paths, ILogger<EncoderValidator> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
            foreach (var id in await db.Encoders.Where(e => e.Status == EncoderStatus.Validating).Select(e => e.Id).ToListAsync(stoppingToken))
                queue.Enqueue(id);

        await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
        {
            // Loading a multi-GB checkpoint is long and CPU-bound: keep it off the thread pool.
            await Task.Factory.StartNew(() => Validate(id), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    internal void Validate(int id)
    {
        using var db = dbFactory.CreateDbContext();
        var e = db.Encoders.Find(id);
        if (e == null || e.Status != EncoderStatus.Validating) return;
        try
        {
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
            e.RejectReason = $"{ex.Message} — an admin can allow this checkpoint to load as TorchScript (POST /api/encoders/{e.Id}/allow-torchscript)";
            log.LogWarning("encoder {Id} ({Name}) is TorchScript and waits for an admin", e.Id, e.DisplayName);
        }
        catch (Exception ex)
        {
            e.Status = EncoderStatus.Rejected;
            e.RejectReason = ex.Message;
            if (e.OwnsFile && e.StoragePath != null)
            {
                try { File.Delete(e.StoragePath); } catch (IOException io) { log.LogWarning(io, "could not delete rejected checkpoint {Path}", e.StoragePath); }
                e.StoragePath = null;
            }
            // A rejected variant's head/adapter copies go too (its parent's checkpoint is not the variant's to delete).
            EncoderVariants.DeleteAdapters(e, paths, log);
            if (e.IsVariant) (e.MlpHeadPath, e.LoraPath) = (null, null);
            log.LogWarning("encoder {Id} ({Name}) rejected: {Reason}", e.Id, e.DisplayName, ex.Message);
        }
        e.ValidatedAt = DateTime.UtcNow;
        db.SaveChanges();
        events.Changed(e.Id);
    }

    private bool AwaitsTorchScriptApproval(EncoderRecord e) =>
        !models.LoadOptions(e).AllowTorchScript && e.StoragePath != null && File.Exists(e.StoragePath)
        && Portal.Engine.Checkpoints.CheckpointLoader.Detect(e.StoragePath) == Portal.Engine.Checkpoints.CheckpointLoader.Kind.TorchScript;

    private EncoderInfo Inspect(EncoderRecord e)
    {
        if (e.StoragePath == null || !File.Exists(e.StoragePath))
            throw new FileNotFoundException($"checkpoint file is missing: {e.StoragePath}");
        var options = models.LoadOptions(e);
        // A TorchScript module that crashes libtorch must crash a child process, not the portal.
        if (options.AllowTorchScript && Portal.Engine.Checkpoints.CheckpointLoader.Detect(e.StoragePath) == Portal.Engine.Checkpoints.CheckpointLoader.Kind.TorchScript)
            torchScriptProbe.Check(e.StoragePath);
        using var encoder = EncoderLoader.Load(e.StoragePath, options);
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
