using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Engine.Inversion;

/// <summary>Which encoder produced a gallery.</summary>
public sealed record InversionEncoderEntry(string Name, string Checkpoint, string Sha256, string Architecture, string? Size, int EmbeddingDim, int ImageHeight, int ImageWidth);

/// <summary>The protocol as run, so a page can print it next to the images.</summary>
public sealed record InversionSettingsEntry(string Optimizer, string Objective, string Norm, double Radius, int Iterations, double InitialStep,
    string Start, double Grey, double StartNoise, IReadOnlyList<int> Seeds)
{
    public static InversionSettingsEntry From(InversionSettings s) => new("APGD", "maximise cosine similarity to the target embedding", "l2",
        s.Radius, s.Iterations, s.InitialStepFactor * s.Radius, $"grey {s.Grey} + U[-{s.StartNoise:G6}, {s.StartNoise:G6}] per pixel, drawn from the seed",
        s.Grey, s.StartNoise, s.Seeds);
}

/// <summary>A target: an image (<see cref="Image"/> = the target as the encoder saw it) or a prompt.</summary>
public sealed record InversionTargetEntry(string Id)
{
    public string? Source { get; init; }
    public string? Image { get; init; }
    public string? Prompt { get; init; }
    public string? Cleaned { get; init; }
    public int? TokenCount { get; init; }
    public bool? Truncated { get; init; }
}

/// <summary>One reconstruction; <see cref="Image"/> is relative to the index file.</summary>
public sealed record InversionResultEntry(string Target, int Seed, string Image, double StartCosine, double FinalCosine, double DeltaL2);

/// <summary>
/// `index.json` of an inversion output folder: kind "features" or "text", the encoder, the settings and one entry per
/// (target, seed). Paths inside are relative to the folder: `targets/&lt;id&gt;.png`, `inversions/&lt;id&gt;-seed&lt;k&gt;.png`.
/// </summary>
public sealed record InversionIndex(string Kind, int FormatVersion, DateTime CreatedUtc, InversionEncoderEntry Encoder, InversionSettingsEntry Settings,
    IReadOnlyList<InversionTargetEntry> Targets, IReadOnlyList<InversionResultEntry> Results, double WallSeconds)
{
    public const int CurrentFormat = 1;
    public const string FileName = "index.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static InversionIndex Read(string path) =>
        JsonSerializer.Deserialize<InversionIndex>(File.ReadAllText(path), Json) ?? throw new FormatException($"{path}: empty inversion index");

    /// <summary>A file-name-safe, unique id per name (letters, digits, '-', '_').</summary>
    public static List<string> Ids(IEnumerable<string> names)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ids = new List<string>();
        foreach (var n in names)
        {
            var s = new string(n.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray()).Trim('_');
            if (s.Length == 0) s = "item";
            if (s.Length > 60) s = s[..60];
            var id = s;
            for (int k = 2; !used.Add(id); k++) id = $"{s}-{k}";
            ids.Add(id);
        }
        return ids;
    }
}
