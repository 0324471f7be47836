using Portal.Engine.Images;
using Portal.Engine.Training;

namespace Portal.Engine.Demo.World;

/// <summary>
/// The demo world's images without tensors: image <c>i</c> of a world with seed <c>s</c> is a pure function of (s, i);
/// its class is i mod <see cref="WorldClasses.Count"/>. The engine's <c>DemoWorld</c> makes tensors of them; the portal
/// writes them as demo dataset files.
/// </summary>
public static class WorldImages
{
    public const int ImageSize = 64;
    public const int Version = 1;

    public static int ClassOf(long index) => (int)(index % WorldClasses.Count);

    /// <summary>H×W×3 floats in [0,1].</summary>
    public static float[] Image(ulong seed, long index)
    {
        var rng = new SplitMix64(TrainingOrder.Mix(seed, 0x3011D, (ulong)index));
        return WorldScenes.Render(ClassOf(index), ref rng, ImageSize);
    }

    /// <summary>8-bit RGB (rounded, clamped): exactly what a PNG of the image holds.</summary>
    public static byte[] Rgb(float[] hwc) => hwc.Select(v => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f)).ToArray();

    public static byte[] Png(ulong seed, long index) => ImageFiles.EncodePng(Rgb(Image(seed, index)), ImageSize, ImageSize);
}
