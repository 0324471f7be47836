using System.Globalization;
using Portal.Engine.Metric;
using static TorchSharp.torch;

namespace Portal.Web.Encoders;

/// <summary>Built-in pixel baselines are stored as encoders whose path is "builtin:&lt;name&gt;@&lt;size&gt;".</summary>
public static class BuiltinModels
{
    public const string Prefix = "builtin:";
    public static readonly string[] Names = ["pixel-l2", "ssim"];

    public static string Path(string name, int size) => $"{Prefix}{name}@{size.ToString(CultureInfo.InvariantCulture)}";

    public static bool IsBuiltin(string? path) => path != null && path.StartsWith(Prefix, StringComparison.Ordinal);

    public static IPerceptualModel Create(string path, Device device)
    {
        var spec = path[Prefix.Length..].Split('@');
        if (spec.Length != 2 || !int.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            throw new ArgumentException($"malformed built-in model '{path}' (expected builtin:<name>@<size>)");
        return spec[0] switch
        {
            "pixel-l2" => new PixelL2(size, device),
            "ssim" => new Ssim(size, device),
            _ => throw new ArgumentException($"unknown built-in model '{spec[0]}' (known: {string.Join(", ", Names)})"),
        };
    }
}
