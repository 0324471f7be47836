using System.Globalization;
using Portal.Engine.Metric;
using Portal.Web.Features.Encoders;
using static TorchSharp.torch;

namespace Portal.Worker.Models;

/// <summary>Builds the built-in pixel baselines named by <see cref="BuiltinModels"/> paths.</summary>
public static class BuiltinModelFactory
{
    public static IPerceptualModel Create(string path, Device device)
    {
        var spec = path[BuiltinModels.Prefix.Length..].Split('@');
        if (spec.Length != 2 || !int.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            throw new ArgumentException($"malformed built-in model '{path}' (expected builtin:<name>@<size>)");
        return spec[0] switch
        {
            "pixel-l2" => new PixelL2(size, device),
            "ssim" => new Ssim(size, device),
            _ => throw new ArgumentException($"unknown built-in model '{spec[0]}' (known: {string.Join(", ", BuiltinModels.Names)})"),
        };
    }
}
