using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Web.Features.Robustify;

/// <summary>The result JSON of a FARE job: the child encoder it registered and the run's last step.</summary>
public static class FareResultJson
{
    public const string ChildKey = "child_encoder_id";

    public static int? ChildEncoderId(string fullJson)
    {
        try
        {
            return JsonNode.Parse(fullJson)?[ChildKey] is JsonValue v && v.TryGetValue<int>(out var id) ? id : null;
        }
        catch (JsonException) { return null; }
    }
}
