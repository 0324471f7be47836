using System.Text.Json;
using Portal.Engine.Checkpoints;

namespace Portal.Engine.Encoders;

/// <summary>
/// The input recipe of a TorchScript encoder, from its sidecar JSON (<c>model.pt.json</c>, or <c>model.json</c>):
/// <c>image_size</c> (int or [h, w]), <c>resize</c> (none | shorter-side-crop | squash), <c>interpolation</c>
/// (bicubic | bilinear), optional <c>resize_to</c> (shorter side before the crop), <c>embedding_dim</c>, <c>name</c>.
/// Unknown keys are refused so a typo cannot silently fall back to a default.
/// </summary>
public sealed record TorchScriptRecipe(int ImageHeight, int ImageWidth, ResizeMode Resize, Interpolation Interpolation,
    int ResizeTo, int? EmbeddingDim, string? Name, string SidecarPath)
{
    private static readonly HashSet<string> Keys = ["image_size", "resize", "interpolation", "resize_to", "embedding_dim", "name"];
    private const int MaxSide = 4096;

    /// <summary>Normalisation is inside the module, so the recorded mean/std are the identity.</summary>
    public Preprocessing ToPreprocessing() => new(ImageHeight, ImageWidth, ResizeTo, Resize, Interpolation, [0f, 0f, 0f], [1f, 1f, 1f]);

    public static string[] SidecarCandidates(string modelPath) => [modelPath + ".json", Path.ChangeExtension(modelPath, ".json")];

    public static TorchScriptRecipe Load(string modelPath)
    {
        var sidecar = SidecarCandidates(modelPath).FirstOrDefault(p => p != modelPath && File.Exists(p))
            ?? throw new CheckpointFormatException(
                $"{modelPath}: a TorchScript encoder needs its input recipe in a sidecar '{Path.GetFileName(modelPath)}.json' " +
                "({\"image_size\": 224, \"resize\": \"shorter-side-crop\", \"interpolation\": \"bicubic\"}); none found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(sidecar)); }
        catch (JsonException e) { throw new CheckpointFormatException($"{sidecar}: not valid JSON ({e.Message})", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new CheckpointFormatException($"{sidecar}: must be a JSON object");
            foreach (var p in root.EnumerateObject())
                if (!Keys.Contains(p.Name))
                    throw new CheckpointFormatException($"{sidecar}: unknown key '{p.Name}' (allowed: {string.Join(", ", Keys)})");

            if (!root.TryGetProperty("image_size", out var size)) throw new CheckpointFormatException($"{sidecar}: 'image_size' is required");
            var (h, w) = size.ValueKind switch
            {
                JsonValueKind.Number => (Side(size, sidecar), Side(size, sidecar)),
                JsonValueKind.Array when size.GetArrayLength() == 2 => (Side(size[0], sidecar), Side(size[1], sidecar)),
                _ => throw new CheckpointFormatException($"{sidecar}: 'image_size' must be an integer or [height, width]"),
            };
            var resize = Text(root, "resize", sidecar) switch
            {
                null or "shorter-side-crop" => ResizeMode.ShorterSideCrop,
                "squash" => ResizeMode.Squash,
                "none" => ResizeMode.None,
                var other => throw new CheckpointFormatException($"{sidecar}: 'resize' is '{other}'; use none, shorter-side-crop or squash"),
            };
            var interp = Text(root, "interpolation", sidecar) switch
            {
                null or "bicubic" => Interpolation.Bicubic,
                "bilinear" => Interpolation.Bilinear,
                var other => throw new CheckpointFormatException($"{sidecar}: 'interpolation' is '{other}'; use bicubic or bilinear"),
            };
            var resizeTo = root.TryGetProperty("resize_to", out var rt) ? Side(rt, sidecar) : Math.Min(h, w);
            if (resizeTo < Math.Min(h, w))
                throw new CheckpointFormatException($"{sidecar}: 'resize_to' {resizeTo} is smaller than the crop {h}x{w}");
            int? dim = root.TryGetProperty("embedding_dim", out var d) ? Positive(d, "embedding_dim", 1 << 20, sidecar) : null;
            return new TorchScriptRecipe(h, w, resize, interp, resizeTo, dim, Text(root, "name", sidecar), sidecar);
        }
    }

    private static int Side(JsonElement e, string sidecar) => Positive(e, "image size", MaxSide, sidecar);

    private static int Positive(JsonElement e, string what, int max, string sidecar) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) && v > 0 && v <= max ? v
            : throw new CheckpointFormatException($"{sidecar}: {what} must be an integer in 1..{max}, not {e.GetRawText()}");

    private static string? Text(JsonElement root, string key, string sidecar) =>
        !root.TryGetProperty(key, out var v) ? null
            : v.ValueKind == JsonValueKind.String ? v.GetString() : throw new CheckpointFormatException($"{sidecar}: '{key}' must be a string");
}
