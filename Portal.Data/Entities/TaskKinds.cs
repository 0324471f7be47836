namespace Portal.Data.Entities;

/// <summary>
/// The kinds of work a benchmark record stands for: its <see cref="BenchmarkRecord.TaskKind"/> column, the key the
/// worker dispatches a job on, the API's <c>task_kind</c>. Defined once here; every other file names these.
/// </summary>
public static class TaskKinds
{
    public const string TwoAfc = "2afc", Retrieval = "retrieval", Detection = "detection", Fare = "fare",
        FeatureInversion = "feature-inversion", TextInversion = "text-inversion";

    public static readonly IReadOnlyList<string> All = [TwoAfc, Retrieval, Detection, Fare, FeatureInversion, TextInversion];

    /// <summary>Retrieval and detection: boards of their own (/retrieval), query-attacked, with evidence viewers.</summary>
    public static bool IsRetrievalOrDetection(string? kind) => kind is Retrieval or Detection;

    /// <summary>Inversion galleries (/galleries): reconstructions, not accuracies.</summary>
    public static bool IsGallery(string? kind) => kind is FeatureInversion or TextInversion;

    /// <summary>The Square Attack has an objective on these (2AFC margin, retrieval and detection losses).</summary>
    public static bool TakesSquare(string? kind) => kind is TwoAfc or Retrieval or Detection;
}
