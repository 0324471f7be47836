using System.Text.Json.Serialization;

namespace Portal.Data.Entities;

/// <summary>
/// The kinds of work a dataset stands for: its <see cref="DatasetRecord.TaskKind"/> column, the key the
/// worker dispatches a job on, the API's <c>task_kind</c>. A type, so a misspelt kind does not compile; stored and
/// sent as its <see cref="TaskKinds.Key"/> ("2afc", "retrieval", …), the strings the schema and the API always had.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskKind>))]
public enum TaskKind
{
    [JsonStringEnumMemberName(TaskKinds.TwoAfcKey)] TwoAfc,
    [JsonStringEnumMemberName(TaskKinds.RetrievalKey)] Retrieval,
    [JsonStringEnumMemberName(TaskKinds.DetectionKey)] Detection,
    [JsonStringEnumMemberName(TaskKinds.FareKey)] Fare,
    [JsonStringEnumMemberName(TaskKinds.FeatureInversionKey)] FeatureInversion,
    [JsonStringEnumMemberName(TaskKinds.TextInversionKey)] TextInversion,
}

/// <summary>The task kinds' stored names and what each kind takes part in.</summary>
public static class TaskKinds
{
    public const string TwoAfcKey = "2afc", RetrievalKey = "retrieval", DetectionKey = "detection", FareKey = "fare",
        FeatureInversionKey = "feature-inversion", TextInversionKey = "text-inversion";

    public static readonly IReadOnlyList<TaskKind> All = Enum.GetValues<TaskKind>();

    /// <summary>The stored and sent name (what a version hash or a fingerprint includes): never the enum's C# name.</summary>
    public static string Key(this TaskKind kind) => kind switch
    {
        TaskKind.TwoAfc => TwoAfcKey, TaskKind.Retrieval => RetrievalKey, TaskKind.Detection => DetectionKey, TaskKind.Fare => FareKey,
        TaskKind.FeatureInversion => FeatureInversionKey, TaskKind.TextInversion => TextInversionKey,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a task kind"),
    };

    public static bool TryParse(string? key, out TaskKind kind)
    {
        foreach (var k in All)
            if (k.Key() == key) { kind = k; return true; }
        kind = default;
        return false;
    }

    /// <summary>A stored or requested name as a kind; an unknown one is refused with the names that exist.</summary>
    public static TaskKind Parse(string? key) => TryParse(key, out var k) ? k
        : throw new ArgumentException($"unknown task kind '{key}' (one of {string.Join(", ", All.Select(Key))})");

    /// <summary>Retrieval and detection: boards of their own (/retrieval), query-attacked, with evidence viewers.</summary>
    public static bool IsRetrievalOrDetection(this TaskKind kind) => kind is TaskKind.Retrieval or TaskKind.Detection;

    /// <summary>Inversion galleries (/galleries): reconstructions, not accuracies.</summary>
    public static bool IsGallery(this TaskKind kind) => kind is TaskKind.FeatureInversion or TaskKind.TextInversion;

    /// <summary>The Square Attack has an objective on these (2AFC margin, retrieval and detection losses).</summary>
    public static bool TakesSquare(this TaskKind kind) => kind is TaskKind.TwoAfc or TaskKind.Retrieval or TaskKind.Detection;
}
