using static TorchSharp.torch;

namespace Portal.Engine.Encoders;

public sealed record EncoderLoadOptions
{
    /// <summary>Override the architecture detected from keys and shapes (e.g. "openclip-convnext", "openclip-vit", "dino-vit").</summary>
    public string? Architecture { get; init; }
    /// <summary>Accept a checkpoint with missing or unexpected keys (they are still reported).</summary>
    public bool Force { get; init; }
    public bool AllowTorchScript { get; init; }
    public Device? Device { get; init; }
    public ScalarType DType { get; init; } = ScalarType.Float32;
    /// <summary>Override the recorded preprocessing recipe.</summary>
    public Preprocessing? Preprocessing { get; init; }
    /// <summary>Optional DreamSim-style MLP head checkpoint applied on top of the embedding.</summary>
    public string? MlpHeadPath { get; init; }
    /// <summary>Optional PEFT LoRA adapter folder (adapter_config.json + adapter_model.*) merged at load time.</summary>
    public string? LoraPath { get; init; }
}
