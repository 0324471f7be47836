using System.Security.Claims;
using System.Text.RegularExpressions;
using Portal.Data.Entities;


namespace Portal.Web.Features.Accounts;

/// <summary>
/// What of the server a visitor may see. Admins see everything; everyone else never sees a server path (storage paths,
/// dataset roots, paths inside error messages), a stack trace, or a rejected encoder that is not their own: paths tell an
/// attacker the layout of the machine, and rejected uploads are the submitter's business.
/// </summary>
public static partial class Disclosure
{
    public static bool SeesServerDetails(this ClaimsPrincipal user) => user.IsAdmin();

    /// <summary>Rejected encoders are listed for their submitter and admins only.</summary>
    public static bool MaySee(this ClaimsPrincipal user, EncoderRecord e) =>
        e.Status != EncoderStatus.Rejected || user.IsAdmin() || (e.SubmittedBy != null && e.SubmittedBy == user.UserId());

    /// <summary>Absolute paths in a message become their last segment ("…/model.part"): the reason stays readable.</summary>
    public static string? ScrubPaths(string? text) => text == null ? null : AbsolutePath().Replace(text, m => "…/" + m.Groups["leaf"].Value);

    /// <summary>Every string in a JSON document (an engine result: skipped items name their files) with paths cut, in place.</summary>
    public static System.Text.Json.Nodes.JsonNode? ScrubPaths(System.Text.Json.Nodes.JsonNode? node)
    {
        static string? Text(System.Text.Json.Nodes.JsonNode? n) => n is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                    if (Text(o[key]) is { } s) o[key] = ScrubPaths(s); else ScrubPaths(o[key]);
                break;
            case System.Text.Json.Nodes.JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (Text(a[i]) is { } s) a[i] = ScrubPaths(s); else ScrubPaths(a[i]);
                break;
        }
        return node;
    }

    // A path starts at a slash that begins a word (or a drive letter) and runs to whitespace, a quote or a bracket.
    [GeneratedRegex(@"(?<![\w.~/:-])(?:[A-Za-z]:\\|/)(?=[\w.~-])(?:[^\s'""<>()\[\]{}]*[/\\])?(?<leaf>[^\s'""<>()\[\]{}/\\:,;]*)")]
    private static partial Regex AbsolutePath();
}
