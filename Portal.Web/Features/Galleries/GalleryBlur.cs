using Portal.Data.Entities;
using Portal.Engine.Inversion;
using Portal.Web.Features.Retrieval;

namespace Portal.Web.Features.Galleries;

/// <summary>
/// The blur policy of the galleries, which is the viewers' (<see cref="SensitiveBlur.ShouldBlur"/>): a target of a sensitive
/// class (the definition's sensitive_targets) is blurred wherever it appears, as the original and as every reconstruction
/// of it; the server blurs the bytes, and a signed-in researcher may ask for the original with ?reveal=1.
/// </summary>
public static class GalleryBlur
{
    /// <summary>The gallery's sensitive target ids (none when its definition is gone or names none).</summary>
    public static IReadOnlySet<string> SensitiveTargets(GalleryRecord gallery) =>
        (GalleryQueries.Definition(gallery)?.SensitiveTargets ?? []).ToHashSet(StringComparer.Ordinal);

    /// <summary>What a file of an inversion result is: the original of a target, a reconstruction of one, or neither (index, cross scores).</summary>
    public static (ImageRole Role, string Target)? RoleOf(InversionIndex index, string relative)
    {
        if (index.Targets.FirstOrDefault(t => t.Image == relative) is { } target) return (ImageRole.GalleryOriginal, target.Id);
        if (index.Results.FirstOrDefault(r => r.Image == relative) is { } run) return (ImageRole.Reconstruction, run.Target);
        return null;
    }

    /// <summary>Whether the server blurs this file of the result: an image of a sensitive target, by the one policy.</summary>
    public static bool ShouldBlur(InversionIndex index, IReadOnlySet<string> sensitive, string relative) =>
        RoleOf(index, relative) is { } x && SensitiveBlur.ShouldBlur(x.Role, sensitive.Contains(x.Target));
}
