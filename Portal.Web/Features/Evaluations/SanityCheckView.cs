using System.Text.Json;

namespace Portal.Web.Features.Evaluations;

/// <summary>One of the engine's attack sanity checks as stored with a result (ResultRecord.SanityJson, snake_case).</summary>
public sealed record SanityCheckView(string Name, bool Passed, double? Value, double? Limit, string Detail)
{
    /// <summary>Reads the stored list; a malformed document gives one failed entry saying so rather than an exception.</summary>
    public static List<SanityCheckView> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateArray().Select(e => new SanityCheckView(
                Str(e, "name") ?? "?", e.TryGetProperty("passed", out var p) && p.ValueKind == JsonValueKind.True,
                Num(e, "value"), Num(e, "limit"), Str(e, "detail") ?? "")).ToList();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return [new SanityCheckView("stored sanity checks", false, null, null, $"unreadable: {ex.Message}")];
        }
    }

    private static string? Str(JsonElement e, string k) => e.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Num(JsonElement e, string k) => !e.TryGetProperty(k, out var v) ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null;
}
