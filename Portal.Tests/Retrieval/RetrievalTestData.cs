using Portal.Engine.Encoders;
using Portal.Engine.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Retrieval;

/// <summary>An encoder whose embedding is the image's mean colour: nearest neighbours by cosine are known by construction.</summary>
public sealed class MeanColourEncoder(int size = 16) : IImageEncoder
{
    public EncoderInfo Info => new("mean-colour", "test", 3, 0,
        new Preprocessing(size, size, size, ResizeMode.Squash, Interpolation.Bilinear, [0f, 0f, 0f], [1f, 1f, 1f]));
    public Device Device => CPU;
    public Tensor Forward(Tensor pixels) => pixels.mean([2, 3]);
    public void Dispose() { }
}

/// <summary>A one-output "unsafe logit" classifier: blue minus red mean (positive = unsafe).</summary>
public sealed class BlueLogitClassifier(int size = 16) : IImageEncoder
{
    public EncoderInfo Info => new("blue-logit", "test", 1, 0,
        new Preprocessing(size, size, size, ResizeMode.Squash, Interpolation.Bilinear, [0f, 0f, 0f], [1f, 1f, 1f]));
    public Device Device => CPU;
    public Tensor Forward(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        var m = pixels.mean([2, 3]);
        return ((m[.., 2] - m[.., 0]) * 10).unsqueeze(1).MoveToOuterDisposeScope();
    }
    public void Dispose() { }
}

public static class RetrievalTestData
{
    /// <summary>A size×size PNG of a colour with a little deterministic texture (so images differ and gradients are rich).</summary>
    public static void WritePng(string path, (double R, double G, double B) colour, int seed, int size = 16)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rng = new Random(seed);
        var rgb = new byte[size * size * 3];
        for (int i = 0; i < size * size; i++)
        {
            rgb[3 * i] = Byte(colour.R * 255 + rng.Next(-20, 21));
            rgb[3 * i + 1] = Byte(colour.G * 255 + rng.Next(-20, 21));
            rgb[3 * i + 2] = Byte(colour.B * 255 + rng.Next(-20, 21));
        }
        File.WriteAllBytes(path, ImageIO.EncodePng(rgb, size, size));
    }

    private static byte Byte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
