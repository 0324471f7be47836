using Portal.Engine.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Inversion;

/// <summary>
/// The start image of an inversion: grey + U[−noise, noise] per pixel, drawn on the CPU from a generator keyed by the
/// seed only, so a seed gives the same start for every target and every encoder (the side-by-side view compares
/// like with like) and on every device.
/// </summary>
public static class InversionStart
{
    public static ulong Key(int seed) => ItemSeed.For(seed, "inversion-start");

    /// <summary>3×H×W float32 on the CPU, inside [0,1].</summary>
    public static Tensor Make(int seed, long height, long width, double grey = 0.5, double noise = 8.0 / 255)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new torch.Generator(Key(seed), CPU);
        var u = torch.rand([3, height, width], ScalarType.Float32, CPU, generator: g);
        return (grey + (u * 2 - 1) * noise).clamp(0, 1).MoveToOuterDisposeScope();
    }
}
