namespace Portal.Data.Entities;

/// <summary>
/// A registered encoder checkpoint (or a built-in pixel baseline). Uploaded files live under the data folder's
/// checkpoints/ as &lt;sha256&gt;.ckpt; files registered from the server keep their own path and are never moved.
/// </summary>
public sealed class EncoderRecord
{
    public int Id { get; set; }
    public required string DisplayName { get; set; }
    public string? Family { get; set; }
    public string? Backbone { get; set; }
    /// <summary>Detected by the engine's loader during validation (or the operator's override).</summary>
    public string? Architecture { get; set; }
    public string? ArchitectureOverride { get; set; }
    public int? EmbeddingDim { get; set; }
    public long? ParameterCount { get; set; }
    /// <summary>safetensors, pytorch-zip, torchscript, builtin...</summary>
    public string? Format { get; set; }
    /// <summary>Lower-case hex sha256 of the file's bytes; null only for uploads rejected before they were complete.</summary>
    public string? Sha256 { get; set; }
    public long SizeBytes { get; set; }
    /// <summary>Absolute path of the checkpoint, or "builtin:&lt;name&gt;@&lt;size&gt;" for pixel baselines; null once rejected.</summary>
    public string? StoragePath { get; set; }
    /// <summary>True when the portal owns the file (an upload) and may delete it; false for server files registered in place.</summary>
    public bool OwnsFile { get; set; }
    public bool IsBuiltin { get; set; }
    public string? Submitter { get; set; }
    /// <summary>The account that registered it (user id; null for the demo, built-ins and files registered before accounts).</summary>
    public string? SubmittedBy { get; set; }
    public string? Description { get; set; }
    public string? PaperUrl { get; set; }
    public string? LicenseUrl { get; set; }
    public EncoderStatus Status { get; set; }
    public string? RejectReason { get; set; }
    /// <summary>Loader details (preprocessing recipe, missing/unexpected keys...) as JSON, for the encoder page.</summary>
    public string? InfoJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ValidatedAt { get; set; }
    /// <summary>Validations of this checkpoint whose worker process died (crash, kill, memory limit) before it was decided.</summary>
    public int ValidationDeaths { get; set; }
    /// <summary>Name of the worker validating it now (null when none is).</summary>
    public string? ValidatingWorker { get; set; }
    /// <summary>What the last worker that died while validating said.</summary>
    public string? LastDeath { get; set; }
    /// <summary>The encoder this one was derived from (a FARE fine-tune of it, or a variant with an MLP head / LoRA adapter); null for uploads and baselines.</summary>
    public int? ParentEncoderId { get; set; }
    /// <summary>An admin allowed this checkpoint to load as TorchScript (code) although the server-wide switch is off.</summary>
    public bool TorchScriptApproved { get; set; }
    /// <summary>
    /// A fine-tuned variant's DreamSim-style MLP head file (owned by the portal, under the data folder's adapters/);
    /// the variant shares its parent's checkpoint file (StoragePath, not owned) and its Sha256 covers both.
    /// </summary>
    public string? MlpHeadPath { get; set; }
    /// <summary>A fine-tuned variant's PEFT LoRA adapter folder (adapter_config.json + adapter_model.*), merged at load.</summary>
    public string? LoraPath { get; set; }
    /// <summary>
    /// The reported model an admin says this checkpoint is ("R-CLIP_F", "ConvNeXt-B", "zero-shot"): the boards then show the
    /// paper's numbers beside the ones measured here. All three set or none.
    /// </summary>
    public string? ReportedMethod { get; set; }
    public string? ReportedBackbone { get; set; }
    public string? ReportedTraining { get; set; }
    /// <summary>A fine-tuned variant (MLP head and/or LoRA adapter on its parent's checkpoint). Derived, not stored.</summary>
    public bool IsVariant => MlpHeadPath != null || LoraPath != null;
}
