using Portal.Web.Features.Encoders;

namespace Portal.Web.Features.Submit;

/// <summary>What the submitter types about a checkpoint; sent as the upload's query string or to the registry.</summary>
public sealed class EncoderMetadataForm
{
    public string? Name { get; set; }
    public string? Family { get; set; }
    public string? Backbone { get; set; }
    public string? Description { get; set; }
    public string? Submitter { get; set; }
    public string? PaperUrl { get; set; }

    public EncoderMetadata ToMetadata() => new()
    {
        Name = Blank(Name), Family = Blank(Family), Backbone = Blank(Backbone), Description = Blank(Description), Submitter = Blank(Submitter), PaperUrl = Blank(PaperUrl),
    };

    public string Query()
    {
        var pairs = new[] { ("name", Name), ("family", Family), ("backbone", Backbone), ("description", Description), ("submitter", Submitter), ("paper_url", PaperUrl) };
        return string.Join('&', pairs.Where(p => !string.IsNullOrWhiteSpace(p.Item2)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!.Trim())}"));
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
