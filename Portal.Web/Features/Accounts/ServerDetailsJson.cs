using System.Text.Json.Serialization.Metadata;
using Portal.Data.Entities;

namespace Portal.Web.Features.Accounts;

/// <summary>
/// Applies <see cref="Disclosure"/> to every JSON answer of the API at once, wherever a record appears (a job's encoder,
/// a job's dataset, a gallery, a registration's body): for anyone but an admin, server paths and stack traces are left out and
/// paths inside messages are cut to their last segment. Done at serialization so no endpoint can forget it. (A refused
/// server file's hash is never public either: only admins register server files, and rejected records are shown to
/// their submitter and admins only.)
/// </summary>
public static class ServerDetailsJson
{
    private static readonly Dictionary<Type, string[]> Hidden = new()
    {
        [typeof(EncoderRecord)] = [nameof(EncoderRecord.StoragePath), nameof(EncoderRecord.MlpHeadPath), nameof(EncoderRecord.LoraPath), nameof(EncoderRecord.ValidatingWorker), nameof(EncoderRecord.SourceUrl)],
        [typeof(JobRecord)] = [nameof(JobRecord.ErrorStack)],
        // Benchmarks, galleries and training-image sets alike (and a dataset seen through its base type).
        [typeof(DatasetRecord)] = [nameof(DatasetRecord.DatasetRoot)],
    };

    private static readonly Dictionary<Type, string[]> Scrubbed = new()
    {
        [typeof(EncoderRecord)] = [nameof(EncoderRecord.RejectReason), nameof(EncoderRecord.LastDeath)],
        [typeof(JobRecord)] = [nameof(JobRecord.Error), nameof(JobRecord.LastDeath)],
        // The engine's JSON as text (gallery answers carry the record): a path inside stays valid JSON once cut.
        [typeof(ResultRecord)] = [nameof(ResultRecord.FullJson), nameof(ResultRecord.SanityJson)],
    };

    /// <summary>The rule of the type or of the record type it derives from.</summary>
    private static string[]? Rule(Dictionary<Type, string[]> rules, Type type)
    {
        for (var t = type; t != null; t = t.BaseType)
            if (rules.TryGetValue(t, out var names)) return names;
        return null;
    }

    public static Action<JsonTypeInfo> Modifier(IHttpContextAccessor http) => info =>
    {
        // No request (never expected for HTTP answers) reads as an anonymous visitor.
        bool Admin() => http.HttpContext?.User.SeesServerDetails() == true;
        foreach (var p in info.Properties)
        {
            var member = (p.AttributeProvider as System.Reflection.MemberInfo)?.Name;
            if (member == null) continue;
            if (Rule(Hidden, info.Type) is { } hidden && hidden.Contains(member))
                p.ShouldSerialize = (_, _) => Admin();
            else if (Rule(Scrubbed, info.Type) is { } scrubbed && scrubbed.Contains(member) && p.Get is { } get)
                p.Get = o => Admin() ? get(o) : Disclosure.ScrubPaths((string?)get(o));
        }
    };
}
