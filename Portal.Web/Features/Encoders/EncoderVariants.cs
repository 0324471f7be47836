using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Encoders;

/// <summary>One file of a variant request: its name as the submitter had it, and its bytes.</summary>
public sealed record VariantFile(string FileName, Stream Content);

/// <summary>
/// A fine-tuned variant of a registered encoder: the paper's "+ MLP" (a DreamSim-style head on the embedding) and
/// "+ LoRA" (a PEFT adapter merged into the backbone) models, e.g. R-CLIP_T + LoRA fine-tuned on NIGHTS.
/// </summary>
public sealed record VariantRequest(int ParentId, VariantFile? MlpHead, VariantFile? LoraConfig, VariantFile? LoraModel, EncoderMetadata Meta);

/// <summary>
/// Registers fine-tuned variants: the adapter files are stored under the data folder's checkpoints/adapters/&lt;sha256&gt;/,
/// the variant points at its parent's checkpoint (shared, not owned) and is validated like any upload (the engine
/// loads backbone + head/adapter, refusing adapters that do not fit). Its identity (Sha256) covers the parent's
/// checkpoint and every adapter file, so identical submissions reuse one record and its results.
/// </summary>
public sealed class EncoderVariants(
    IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, EncoderRegistry registry, ILogger<EncoderVariants> log)
{
    private static readonly string[] WeightExtensions = [".safetensors", ".bin", ".pt", ".pth"];

    public async Task<RegistrationOutcome> CreateAsync(VariantRequest req, CancellationToken ct)
    {
        req = req with { Meta = EncoderFields.Clean(req.Meta) };
        if (req.MlpHead is null && req.LoraConfig is null && req.LoraModel is null)
            throw new ArgumentException("a variant needs an MLP head file, or a LoRA adapter (adapter_config.json + adapter_model.safetensors/.bin), or both");
        if ((req.LoraConfig is null) != (req.LoraModel is null))
            throw new ArgumentException("a LoRA adapter needs both files: adapter_config.json and adapter_model.safetensors (or .bin)");
        var mlpExt = req.MlpHead is null ? null : Extension(req.MlpHead, WeightExtensions, "MLP head");
        var loraExt = req.LoraModel is null ? null : Extension(req.LoraModel, [".safetensors", ".bin"], "LoRA adapter weights");
        if (req.LoraConfig is not null) Extension(req.LoraConfig, [".json"], "LoRA adapter config");

        EncoderRecord parent;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            parent = await db.Encoders.AsNoTracking().FirstOrDefaultAsync(e => e.Id == req.ParentId, ct)
                ?? throw new KeyNotFoundException($"no encoder {req.ParentId}");
        if (parent.IsBuiltin || parent.Format == "torchscript")
            throw new ArgumentException($"encoder {parent.Id} ({parent.DisplayName}) is a {(parent.IsBuiltin ? "built-in baseline" : "TorchScript module")}: heads and adapters apply to native encoders only");
        if (parent.IsVariant)
            throw new ArgumentException($"encoder {parent.Id} ({parent.DisplayName}) is itself a variant: add the head or adapter to its parent ({parent.ParentEncoderId})");
        if (parent.Status != EncoderStatus.Ready || parent.StoragePath is null || !File.Exists(parent.StoragePath))
            throw new ArgumentException($"encoder {parent.Id} ({parent.DisplayName}) is not ready (status {parent.Status.ToString().ToLowerInvariant()}); a variant needs a validated parent");

        var staging = Path.Combine(paths.Uploads, $"variant-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var mlp = req.MlpHead is null ? null : await Receive(req.MlpHead, Path.Combine(staging, "mlp_head" + mlpExt), ct);
            var config = req.LoraConfig is null ? null : await Receive(req.LoraConfig, Path.Combine(staging, "adapter_config.json"), ct);
            var model = req.LoraModel is null ? null : await Receive(req.LoraModel, Path.Combine(staging, "adapter_model" + loraExt), ct);
            var sha = Identity(parent.Sha256!, mlp?.Sha256, config?.Sha256, model?.Sha256);

            await EncoderRegistry.RegisterLock.WaitAsync(ct);
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                var existing = await db.Encoders.FirstOrDefaultAsync(e => e.Sha256 == sha, ct);
                if (existing != null && existing.Status != EncoderStatus.Rejected) return new RegistrationOutcome(existing, Duplicate: true);

                var folder = paths.AdaptersFor(sha);
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                Directory.CreateDirectory(folder);
                string? mlpPath = null, loraPath = null;
                if (mlp != null) File.Move(mlp.Path, mlpPath = Path.Combine(folder, Path.GetFileName(mlp.Path)));
                if (config != null && model != null)
                {
                    loraPath = Path.Combine(folder, "lora");
                    Directory.CreateDirectory(loraPath);
                    File.Move(config.Path, Path.Combine(loraPath, "adapter_config.json"));
                    File.Move(model.Path, Path.Combine(loraPath, Path.GetFileName(model.Path)));
                }

                var kinds = string.Join(" + ", new[] { mlp != null ? "MLP" : null, loraPath != null ? "LoRA" : null }.OfType<string>());
                // What the submitter leaves out is inherited from the parent.
                var record = existing ?? new EncoderRecord
                {
                    DisplayName = $"{parent.DisplayName} + {kinds}", CreatedAt = DateTime.UtcNow,
                    Family = parent.Family, Backbone = parent.Backbone, ArchitectureOverride = parent.ArchitectureOverride,
                    PaperUrl = parent.PaperUrl, LicenseUrl = parent.LicenseUrl,
                    Description = $"{parent.DisplayName} with {(mlp != null && loraPath != null ? "an MLP head and a LoRA adapter" : mlp != null ? "an MLP head" : "a LoRA adapter")}",
                };
                EncoderRegistry.Apply(record, req.Meta, sha);
                record.ParentEncoderId = parent.Id;
                record.MlpHeadPath = mlpPath;
                record.LoraPath = loraPath;
                // The parent's checkpoint: shared, never deleted through the variant (not owned).
                await registry.SaveForValidation(db, record, isNew: existing == null,
                    (mlp?.Length ?? 0) + (config?.Length ?? 0) + (model?.Length ?? 0), parent.StoragePath, ownsFile: false, ct);
                log.LogInformation("variant {Id} of encoder {Parent} stored ({Kinds}), validating", record.Id, parent.Id, kinds);
                return new RegistrationOutcome(record, Duplicate: existing != null);
            }
            finally
            {
                EncoderRegistry.RegisterLock.Release();
            }
        }
        finally
        {
            try { Directory.Delete(staging, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Deletes a variant's adapter folder (the portal's own copy), e.g. when it is rejected or deleted.</summary>
    public static void DeleteAdapters(EncoderRecord e, DataPaths paths, ILogger log)
    {
        if (e.Sha256 is null || (e.MlpHeadPath is null && e.LoraPath is null)) return;
        var folder = paths.AdaptersFor(e.Sha256);
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (IOException io) { log.LogWarning(io, "could not delete the adapters of encoder {Id} at {Folder}", e.Id, folder); }
    }

    /// <summary>sha256 over the parent's checkpoint and every adapter file: the variant's identity for dedupe and result reuse.</summary>
    public static string Identity(string parentSha, string? mlpSha, string? loraConfigSha, string? loraModelSha) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"portal-variant-v1\nparent {parentSha}\nmlp {mlpSha ?? "-"}\nlora-config {loraConfigSha ?? "-"}\nlora-model {loraModelSha ?? "-"}\n")));

    private async Task<StreamingReceiver.Received> Receive(VariantFile f, string path, CancellationToken ct)
    {
        var r = await StreamingReceiver.ReceiveAsync(f.Content, path, registry.MaxUploadBytes, ct);
        if (r.Length == 0) throw new ArgumentException($"{f.FileName}: file is empty (0 bytes)");
        return r;
    }

    private static string Extension(VariantFile f, string[] allowed, string what)
    {
        var ext = Path.GetExtension(f.FileName).ToLowerInvariant();
        if (!allowed.Contains(ext))
            throw new ArgumentException($"{what}: '{f.FileName}' should end with {string.Join(", ", allowed)}");
        return ext;
    }
}
