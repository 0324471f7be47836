using System.Text;

namespace Portal.Web.Features.Encoders;

/// <summary>
/// What a submitter may write about a checkpoint, checked on every way in (upload, resumable upload, server file,
/// variant). Every field has a length limit (a 1 MB name would make every page several MB for everyone); one-line fields
/// lose control, bidi and zero-width characters (they let a name pose as another or reorder what is shown); links must be
/// http(s) (a javascript: link runs in the viewer's page).
/// </summary>
public static class EncoderFields
{
    public const int MaxName = 200, MaxLine = 200, MaxDescription = 10_000, MaxUrl = 2_000, MaxFileName = 255;

    /// <summary>The metadata cleaned, or an <see cref="ArgumentException"/> (400) naming the field and its limit.</summary>
    public static EncoderMetadata Clean(EncoderMetadata m) => m with
    {
        Name = Line(m.Name, "name", MaxName),
        Family = Line(m.Family, "family", MaxLine),
        Backbone = Line(m.Backbone, "backbone", MaxLine),
        Architecture = Line(m.Architecture, "architecture", MaxLine),
        Submitter = Line(m.Submitter, "submitter", MaxLine),
        FileName = Line(m.FileName, "file_name", MaxFileName),
        Description = Text(m.Description, "description", MaxDescription),
        PaperUrl = Url(m.PaperUrl, "paper_url"),
        LicenseUrl = Url(m.LicenseUrl, "license_url"),
        TrainingData = Line(m.TrainingData, "training_data", MaxLine),
    };

    /// <summary>A one-line field: trimmed, invisible and control characters removed, empty → null.</summary>
    public static string? Line(string? value, string field, int max)
    {
        if (value == null) return null;
        if (value.Length > max) throw new ArgumentException($"{field} is {value.Length} characters long; the limit is {max}");
        var sb = new StringBuilder(value.Length);
        foreach (var c in value) if (!char.IsControl(c) && !IsInvisible(c)) sb.Append(c);
        var s = sb.ToString().Trim();
        return s.Length == 0 ? null : s;
    }

    /// <summary>Free text (newlines kept; other control and bidi characters removed).</summary>
    public static string? Text(string? value, string field, int max)
    {
        if (value == null) return null;
        if (value.Length > max) throw new ArgumentException($"{field} is {value.Length} characters long; the limit is {max}");
        var sb = new StringBuilder(value.Length);
        foreach (var c in value) if (c is '\n' or '\t' || (!char.IsControl(c) && !IsInvisible(c))) sb.Append(c);
        var s = sb.ToString().Trim();
        return s.Length == 0 ? null : s;
    }

    /// <summary>An absolute http(s) URL, or a 400.</summary>
    public static string? Url(string? value, string field)
    {
        var s = Line(value, field, MaxUrl);
        if (s == null) return null;
        if (!IsWebUrl(s)) throw new ArgumentException($"{field} must be an absolute http:// or https:// URL");
        return s;
    }

    /// <summary>Whether a stored link may be rendered as a link (records written before this check are shown as text).</summary>
    public static bool IsWebUrl(string? s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(u.Host);

    // Bidi embeddings/overrides/isolates and marks, zero-width space/joiners, word joiner, BOM, soft hyphen.
    private static bool IsInvisible(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C'
        or (>= '\u200B' and <= '\u200D') or '\u2060' or '\uFEFF' or '\u00AD';
}
