using System.Text.Json.Serialization;

namespace Portal.Engine.Encoders;

/// <summary>How arbitrary images become the encoder's input pixels (before normalisation).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResizeMode>))]
public enum ResizeMode
{
    /// <summary>Pixels go to the encoder at their own size.</summary>
    None,
    /// <summary>Resize the shorter side to <see cref="Preprocessing.ResizeTo"/>, then centre-crop (OpenCLIP / torchvision eval transform).</summary>
    ShorterSideCrop,
    /// <summary>Resize both sides to the crop size, ignoring aspect ratio (DreamSim's MLP/LoRA variants).</summary>
    Squash,
}

[JsonConverter(typeof(JsonStringEnumConverter<Interpolation>))]
public enum Interpolation { Bicubic, Bilinear }

/// <summary>
/// The input recipe of an encoder, recorded with every result so a number says how it was obtained.
/// Resize/crop work on [0,1] pixels; mean/std normalisation happens inside the encoder's forward pass.
/// </summary>
public sealed record Preprocessing(
    int ImageHeight,
    int ImageWidth,
    int ResizeTo,
    ResizeMode Mode,
    Interpolation Interpolation,
    float[] Mean,
    float[] Std)
{
    public static readonly float[] OpenAiMean = [0.48145466f, 0.4578275f, 0.40821073f];
    public static readonly float[] OpenAiStd = [0.26862954f, 0.26130258f, 0.27577711f];
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    public static Preprocessing ShorterSide(int resizeTo, int crop, float[] mean, float[] std) =>
        new(crop, crop, resizeTo, ResizeMode.ShorterSideCrop, Interpolation.Bicubic, mean, std);

    /// <summary>No normalisation: pixel-space models.</summary>
    public static Preprocessing Identity(int size) =>
        new(size, size, size, ResizeMode.Squash, Interpolation.Bicubic, [0f, 0f, 0f], [1f, 1f, 1f]);
}
