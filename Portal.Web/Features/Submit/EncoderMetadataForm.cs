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
    /// <summary>What it learned perceptual similarity from; empty: not stated (the board says so, never guesses).</summary>
    public string? TrainingData { get; set; }

    /// <summary>The choices the form offers (the API takes any one-line text).</summary>
    public static readonly string[] TrainingChoices = ["zero-shot", "fine-tuned on NIGHTS", "MLP on NIGHTS", "LoRA on NIGHTS", "fine-tuned on BAPPS"];

    public EncoderMetadata ToMetadata() => new()
    {
        Name = Blank(Name), Family = Blank(Family), Backbone = Blank(Backbone), Description = Blank(Description), Submitter = Blank(Submitter), PaperUrl = Blank(PaperUrl),
        TrainingData = Blank(TrainingData),
    };

    public string Query()
    {
        var pairs = new[] { ("name", Name), ("family", Family), ("backbone", Backbone), ("description", Description), ("submitter", Submitter), ("paper_url", PaperUrl), ("training_data", TrainingData) };
        return string.Join('&', pairs.Where(p => !string.IsNullOrWhiteSpace(p.Item2)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!.Trim())}"));
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
