using System.Text.Json;

namespace Portal.Web.Features.Galleries;

/// <summary>One cell of the paper's Table VII: reconstructions made with one encoder, scored by another's cosine to the original.</summary>
public sealed record CrossCell(int ReconstructedBy, int ScoredBy, double Mean, IReadOnlyDictionary<string, double> PerTarget);

/// <summary>
/// Table VII cells a feature-inversion job adds (<c>cross.json</c> next to its index): its own reconstructions scored by
/// every encoder that has finished the same gallery (its row), theirs scored by it (its column), and its diagonal. So
/// whichever encoder of a pair finishes last fills both cells, and the page merges the newest cell per pair.
/// Scores: cos(ψ(reconstruction PNG), ψ(original)), each image resized by the scoring encoder's own recipe, mean over
/// seeds then over targets (the engine's CrossScore, as the CLI's `invert table`; computed by the worker's CrossScoring).
/// </summary>
public sealed record CrossScores(int Gallery, IReadOnlyList<CrossCell> Cells)
{
    public const string FileName = "cross.json";

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, GalleryDefinition.Json));

    public static CrossScores? Read(string path)
    {
        try { return File.Exists(path) ? JsonSerializer.Deserialize<CrossScores>(File.ReadAllText(path), GalleryDefinition.Json) : null; }
        catch (JsonException) { return null; }
    }
}
