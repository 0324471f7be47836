namespace Portal.Web.Features.Encoders;

/// <summary>What the submitter says about a checkpoint (the engine fills in the rest during validation).</summary>
public sealed record EncoderMetadata
{
    public string? Name { get; init; }
    public string? Family { get; init; }
    public string? Backbone { get; init; }
    /// <summary>Override the architecture the loader detects ("openclip-convnext", "openclip-vit", "dino-vit"...).</summary>
    public string? Architecture { get; init; }
    public string? Submitter { get; init; }
    public string? Description { get; init; }
    public string? PaperUrl { get; init; }
    public string? LicenseUrl { get; init; }
    /// <summary>What it learned perceptual similarity from ("zero-shot", "fine-tuned on NIGHTS", …); see EncoderRecord.TrainingData.</summary>
    public string? TrainingData { get; init; }
    public string? FileName { get; init; }
    /// <summary>The signed-in account (user id), set by the endpoint from the request's identity, never from its fields.</summary>
    public string? SubmittedBy { get; init; }
}

/// <summary>The outcome of a registration: the record, and whether the bytes were already known.</summary>
public sealed record RegistrationOutcome(Data.Entities.EncoderRecord Encoder, bool Duplicate);
