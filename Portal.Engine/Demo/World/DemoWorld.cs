using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using Portal.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Demo.World;

/// <summary>
/// The demo world as tensors (its images are <see cref="WorldImages"/>). Training, benchmarks and galleries draw from
/// disjoint seeds of the same world.
/// Also the demo encoder's architecture: OpenCLIP's ConvNeXt tower at a tiny size (dims 16/32/48/64, depths 1/1/2/1,
/// 64-d embedding, ~0.1 M parameters) on 64×64 images, OpenAI mean/std.
/// </summary>
public static class DemoWorld
{
    public const int ImageSize = WorldImages.ImageSize;
    public const int Version = WorldImages.Version;

    public static ConvNextSpec EncoderSpec => new([16, 32, 48, 64], [1, 1, 2, 1], 64, ConvNextHead.Linear);

    /// <summary>Images go to the encoder at their own 64×64 size.</summary>
    public static Preprocessing Recipe =>
        new(ImageSize, ImageSize, ImageSize, ResizeMode.Squash, Interpolation.Bilinear, Preprocessing.OpenAiMean, Preprocessing.OpenAiStd);

    public static int ClassOf(long index) => WorldImages.ClassOf(index);

    /// <summary>H×W×3 floats in [0,1] (<see cref="WorldImages.Image"/>).</summary>
    public static float[] Image(ulong seed, long index) => WorldImages.Image(seed, index);

    /// <summary>3×H×W float32 tensor in [0,1].</summary>
    public static Tensor Tensor(ulong seed, long index) => ToTensor(Image(seed, index));

    internal static Tensor ToTensor(float[] hwc) =>
        torch.tensor(hwc, ScalarType.Float32).reshape(ImageSize, ImageSize, 3).permute(2, 0, 1).contiguous();

    /// <summary>
    /// Rounds to 8-bit levels (what a PNG of the image holds), so training sees exactly the pixels a benchmark file
    /// decodes to.
    /// </summary>
    public static Tensor Quantised(ulong seed, long index)
    {
        var img = Image(seed, index);
        for (int i = 0; i < img.Length; i++) img[i] = MathF.Round(Math.Clamp(img[i], 0f, 1f) * 255f) / 255f;
        return ToTensor(img);
    }

    /// <summary>A fresh demo encoder with seeded random weights (timm-style init).</summary>
    public static NativeEncoder NewEncoder(ulong seed)
    {
        var spec = EncoderSpec;
        var tower = NativeTower.Build(spec, TensorPlace.Cpu);
        RandomInit.Apply(tower, (long)(seed & 0x7FFFFFFFFFFFFFFF));
        var info = new EncoderInfo(spec.Family, "demo", spec.EmbeddingDim, tower.parameters().Sum(p => p.numel()), Recipe)
        {
            Details = new Dictionary<string, string> { ["size"] = spec.SizeName, ["weights"] = $"demo (seed {seed})" },
        };
        return new NativeEncoder(tower, info, CPU, ScalarType.Float32);
    }
}

/// <summary>The first <see cref="Count"/> images of a world seed, as FARE training images.</summary>
public sealed class DemoWorldImages(ulong seed, int count) : ITrainingImages
{
    public int Count => count;
    public string Fingerprint => $"demo-world-v{DemoWorld.Version}-seed{seed}-n{count}";
    public Tensor Load(int index) => DemoWorld.Quantised(seed, index);
}
