using System.Globalization;

namespace Portal.Web.Features.Encoders;

/// <summary>Built-in pixel baselines are stored as encoders whose path is "builtin:&lt;name&gt;@&lt;size&gt;" (the worker's BuiltinModelFactory builds them).</summary>
public static class BuiltinModels
{
    public const string Prefix = "builtin:";
    public static readonly string[] Names = ["pixel-l2", "ssim"];

    public static string Path(string name, int size) => $"{Prefix}{name}@{size.ToString(CultureInfo.InvariantCulture)}";

    public static bool IsBuiltin(string? path) => path != null && path.StartsWith(Prefix, StringComparison.Ordinal);
}
