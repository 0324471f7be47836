using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// The paper's native architectures at full size with random weights: what the speed benchmarks measure, so they
/// need no released checkpoint (a forward/backward costs the same whatever the weights are).
/// </summary>
public static class RandomEncoders
{
    public sealed record Known(string Name, Func<ArchitectureSpec> Spec, float[] Mean, float[] Std);

    public static readonly IReadOnlyList<Known> All =
    [
        new("convnext_base_w", () => KnownSpecs.ConvNextBaseW, Preprocessing.OpenAiMean, Preprocessing.OpenAiStd),
        new("vit-b32", () => KnownSpecs.VitB32, Preprocessing.OpenAiMean, Preprocessing.OpenAiStd),
        new("vit-b16", () => KnownSpecs.VitB16, Preprocessing.OpenAiMean, Preprocessing.OpenAiStd),
        new("dino-vitb16", () => KnownSpecs.DinoVitB16, Preprocessing.ImageNetMean, Preprocessing.ImageNetStd),
        new("dinov2-vitb14", () => KnownSpecs.Dinov2VitB14, Preprocessing.ImageNetMean, Preprocessing.ImageNetStd),
        new("dinov2-vitb14-reg4", () => KnownSpecs.Dinov2VitB14Reg4, Preprocessing.ImageNetMean, Preprocessing.ImageNetStd),
    ];

    public static IReadOnlyList<string> Names => All.Select(a => a.Name).ToList();

    /// <summary>Builds <paramref name="name"/> with deterministic random weights at 224×224 on the device.</summary>
    public static NativeEncoder Create(string name, Device device, long seed = 0)
    {
        var arch = All.FirstOrDefault(a => a.Name == name)
            ?? throw new ArgumentException($"unknown architecture '{name}' (known: {string.Join(", ", Names)})");
        var spec = arch.Spec();
        var tower = NativeTower.Build(spec, new TensorPlace(device, ScalarType.Float32));
        RandomInit.Apply(tower, seed);
        var recipe = Preprocessing.ShorterSide(224, 224, arch.Mean, arch.Std);
        var info = new EncoderInfo(spec.Family, "random", spec.EmbeddingDim, tower.parameters().Sum(p => p.numel()), recipe)
        {
            Details = new Dictionary<string, string> { ["size"] = spec.SizeName, ["weights"] = $"random (seed {seed})" },
        };
        return new NativeEncoder(tower, info, device, ScalarType.Float32);
    }
}
