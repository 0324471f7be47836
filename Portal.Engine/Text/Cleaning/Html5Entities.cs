using System.Text.Json;

namespace Portal.Engine.Text.Cleaning;

/// <summary>
/// The 2,231 HTML5 named character references of Python 3.11's <c>html.entities.html5</c> (what open_clip's
/// <c>html.unescape</c> uses), kept as data in html5-entities.json (written by tools/gen_html5_entities.py), not as code.
/// </summary>
public static class Html5Entities
{
    /// <summary>Name (without the leading '&amp;', with ';' where the standard has it) → replacement text; names
    /// without ';' are the legacy forms html.unescape also accepts.</summary>
    public static IReadOnlyDictionary<string, string> Table => Lazy.Value;

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Lazy = new(Load);

    private static IReadOnlyDictionary<string, string> Load()
    {
        using var stream = typeof(Html5Entities).Assembly.GetManifestResourceStream("text/html5-entities.json")
            ?? throw new InvalidOperationException("the embedded resource text/html5-entities.json is missing from Portal.Engine");
        var table = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
            ?? throw new InvalidOperationException("text/html5-entities.json is empty");
        return new Dictionary<string, string>(table, StringComparer.Ordinal);
    }
}
