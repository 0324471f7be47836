using System.Text.Json;

namespace Portal.Engine.Fetch;

/// <summary>
/// What a .part file is a prefix of: the URL, the validator (ETag, else Last-Modified) and the size the server
/// announced. A resume only trusts a .part whose sidecar names the same URL and carries a validator.
/// </summary>
public sealed record PartSidecar(string Url, string? ETag, string? LastModified, long? ExpectedSize)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string PathFor(string partPath) => partPath + ".json";

    public static PartSidecar? TryRead(string partPath)
    {
        try { return JsonSerializer.Deserialize<PartSidecar>(File.ReadAllText(PathFor(partPath)), Json); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    public void Write(string partPath)
    {
        var tmp = PathFor(partPath) + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        File.Move(tmp, PathFor(partPath), overwrite: true);
    }

    public string? Validator => ETag ?? LastModified;
}
