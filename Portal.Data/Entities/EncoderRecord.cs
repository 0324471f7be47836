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
    /// <summary>
    /// What the encoder learned perceptual similarity from, as its submitter or an admin states it ("zero-shot",
    /// "fine-tuned on NIGHTS", "LoRA on NIGHTS", "fine-tuned on BAPPS", free text). Null: not stated; the boards then say
    /// only what is known by construction (pixel baselines, MLP/LoRA variants, a linked reported model), never a guess.
    /// </summary>
    public string? TrainingData { get; set; }
    /// <summary>
    /// Where an imported checkpoint comes from, as the submitter named it: an http(s) URL or "hf-hub:org/repo[/file]".
    /// Null for uploads and server files. An import is a validation that starts by downloading (in a worker).
    /// </summary>
    public string? SourceUrl { get; set; }
    /// <summary>The hub revision asked for (branch, tag or commit; "main" when not given); null for plain URLs.</summary>
    public string? SourceRevision { get; set; }
    /// <summary>The hub file the import resolved to (open_clip's choice when the id names none).</summary>
    public string? SourceFile { get; set; }
    /// <summary>The URL the bytes finally came from after redirects, without its query string (signed CDN links carry secrets there).</summary>
    public string? DownloadUrl { get; set; }
    /// <summary>The sha256 the submitter expects; the import fails when the downloaded bytes differ.</summary>
    public string? ExpectedSha256 { get; set; }
    /// <summary>Bytes downloaded so far and the announced total (null when unknown), while importing and after.</summary>
    public long? ImportedBytes { get; set; }
    public long? ImportTotalBytes { get; set; }
    /// <summary>
    /// The source as pages and the public API show it: a URL's query string (where signed links carry their secret) is
    /// cut; the full <see cref="SourceUrl"/> is for admins and the worker. Derived, not stored.
    /// </summary>
    public string? Source => SourceUrl == null || SourceUrl.StartsWith("hf-hub:", StringComparison.Ordinal)
        || !Uri.TryCreate(SourceUrl, UriKind.Absolute, out var u) || u.Query.Length == 0 ? SourceUrl : u.GetLeftPart(UriPartial.Path) + "?…";
    /// <summary>Still downloading: validating, from a source, with no file yet. Derived, not stored.</summary>
    public bool IsImporting => Status == EncoderStatus.Validating && SourceUrl != null && StoragePath == null;
    /// <summary>A fine-tuned variant (MLP head and/or LoRA adapter on its parent's checkpoint). Derived, not stored.</summary>
    public bool IsVariant => MlpHeadPath != null || LoraPath != null;

    /// <summary>Shown for an encoder whose training data nobody stated and nothing else tells.</summary>
    public const string TrainingNotStated = "not stated";

    /// <summary>
    /// The training data the pages show: as stated; else what is known by construction (a pixel baseline learns nothing;
    /// the portal's MLP-head and LoRA variants are the paper's NIGHTS-tuned heads); else the reported model an admin
    /// linked it to; else "not stated". Never guessed from the name or the description.
    /// </summary>
    public string TrainingDataShown => TrainingData
        ?? (IsBuiltin ? "none (pixels)" : MlpHeadPath != null ? "MLP on NIGHTS" : LoraPath != null ? "LoRA on NIGHTS" : ReportedTraining)
        ?? TrainingNotStated;
}
