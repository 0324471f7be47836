using Portal.Engine.Checkpoints;
using Portal.Engine.Images;
using Portal.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Encoders;

/// <summary>Helpers for the shared encoder fixture cases (model, inputs, expected outputs).</summary>
internal static class EncoderFixtures
{
    public static readonly string[] Cases = ["openclip-convnext-mini", "openclip-vit-b32-mini", "openclip-vit-b16-mini", "dino-vitb16-mini",
        "dinov2-vitb14-mini", "dinov2-vitb14-reg-mini"];

    public static string File(string caseName, string name) => Path.Combine(FixturePaths.Encoder(caseName), name);

    /// <summary>The PNGs of a folder (inputs or inputs_alt) as an N×3×H×W [0,1] tensor, in file order.</summary>
    public static Tensor Images(string caseName, string folder = "inputs")
    {
        using var scope = torch.NewDisposeScope();
        var files = Directory.GetFiles(Path.Combine(FixturePaths.Encoder(caseName), folder), "*.png").Order(StringComparer.Ordinal).ToList();
        return torch.stack(files.Select(ImageIO.Load).ToList(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>max|got − expected| / max|expected| (the fixtures' README tolerance is 1e-5).</summary>
    public static double RelativeError(Tensor got, Tensor expected)
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(expected.shape, got.shape);
        return (got.cpu().to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max().item<double>()
               / expected.abs().max().to_type(ScalarType.Float64).item<double>();
    }

    public const double Tolerance = 1e-5;
}
