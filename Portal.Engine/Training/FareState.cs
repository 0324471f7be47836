using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Engine.Training;

/// <summary>
/// The resumable state of a FARE run, in a folder: <c>state.json</c> (this record) names the subfolder
/// <c>step-NNNNNNN/</c> holding <c>model.safetensors</c> (current weights, canonical keys) and <c>optimizer.bin</c>
/// (AdamW moments and step counts, TorchSharp's optimizer state format). No RNG state is stored because every random
/// draw is a function of (seed, step, item); the step is the whole cursor. state.json is replaced atomically after the
/// step folder is complete, so a kill at any moment leaves the previous consistent state.
/// </summary>
public sealed record FareState
{
    public const string FileName = "state.json";
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    /// <summary>Completed outer steps.</summary>
    public required int Step { get; init; }
    public required string Folder { get; init; }
    public required FareOptions Options { get; init; }
    /// <summary><see cref="TowerWeights.Fingerprint"/> of the original (frozen) encoder.</summary>
    public required string ParentFingerprint { get; init; }
    public required string ImagesFingerprint { get; init; }
    public required int ImageCount { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static FareState? TryRead(string dir)
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<FareState>(File.ReadAllText(path), Json) ?? throw new InvalidDataException("empty"); }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path} is not a readable FARE state ({e.Message}); delete the folder to start over", e);
        }
    }

    public void Write(string dir)
    {
        var tmp = Path.Combine(dir, FileName + ".tmp");
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        File.Move(tmp, Path.Combine(dir, FileName), overwrite: true);
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);
}
