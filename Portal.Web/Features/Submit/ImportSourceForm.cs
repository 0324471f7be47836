using Portal.Web.Features.Encoders;

namespace Portal.Web.Features.Submit;

/// <summary>What the submitter types to import a checkpoint by URL or hub id.</summary>
public sealed class ImportSourceForm
{
    public string? Source { get; set; }
    public string? Sha256 { get; set; }
    public string? Revision { get; set; }

    public ImportRequest ToRequest() => new(Blank(Source), Blank(Sha256), Blank(Revision));

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
