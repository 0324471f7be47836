using System.Globalization;
using Portal.Data.Entities;

namespace Portal.Web.Features.Retrieval;

/// <summary>
/// How a neighbour's score reads. Retrieval ranks by the dot product of unit-normalised representations: for an encoder
/// that is the cosine of its embeddings, but a pixel baseline's "embedding" is the image itself, and calling a pixel
/// comparison a cosine suggests a learned similarity it does not have. Its score is shown as what it measures: the
/// distance ‖x̂ − ŷ‖ = √(2 − 2·s) between the unit-normalised pixel vectors (0 = same image; smaller is nearer).
/// </summary>
public static class NeighbourScore
{
    public static bool IsPixelSpace(EncoderRecord? encoder) => encoder is { IsBuiltin: true } || Portal.Web.Features.Encoders.BuiltinModels.IsBuiltin(encoder?.StoragePath);

    public static string Format(double similarity, bool pixelSpace) => pixelSpace
        ? "pixel dist " + Math.Sqrt(Math.Max(0, 2 - 2 * similarity)).ToString("0.0000", CultureInfo.InvariantCulture)
        : "cos " + similarity.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>The sentence the examples page uses for how neighbours were ranked.</summary>
    public static string RankedBy(bool pixelSpace) => pixelSpace
        ? "its 5 nearest neighbours in pixel space (score: distance between the unit-normalised pixel vectors, smaller is nearer)"
        : "its 5 nearest neighbours by cosine similarity of the embeddings";
}
