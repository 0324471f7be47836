namespace Portal.Data.Entities;

/// <summary>
/// What a result's two numbers measure: the <see cref="ResultRecord.Metric"/> column. A 2AFC accuracy, a mAP, a
/// detection rate and a mean cosine are different quantities; the row says which it holds instead of every reader
/// guessing from the benchmark's task.
/// </summary>
public static class ResultMetrics
{
    /// <summary>Share of 2AFC triplets where the metric agrees with the human vote (clean; under attack).</summary>
    public const string TwoAfcAccuracy = "2afc-accuracy";
    /// <summary>Revisited Oxford/Paris mean average precision, Medium protocol (the splits carry Easy/Medium/Hard).</summary>
    public const string MapMedium = "map-medium";
    /// <summary>A folder benchmark without ground truth: the share of the clean top-5 neighbours kept under attack.</summary>
    public const string TopKOverlap = "top5-overlap";
    /// <summary>NSFW detection by retrieval: the share of queries assigned their true class.</summary>
    public const string DetectionRate = "detection-rate";
    /// <summary>Inversions: mean cosine between the reconstruction's and the target's embeddings (not a fraction of anything).</summary>
    public const string MeanCosine = "mean-cosine";
    /// <summary>A FARE run: its result is a checkpoint, not a score.</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [TwoAfcAccuracy, MapMedium, TopKOverlap, DetectionRate, MeanCosine, None];

    /// <summary>What a dataset's results measure; for a retrieval benchmark, whether it has ground truth (named splits).</summary>
    public static string For(DatasetRecord dataset) => For(dataset.TaskKind, (dataset as BenchmarkRecord)?.Splits);

    public static string For(TaskKind kind, string? splits) => kind switch
    {
        TaskKind.Retrieval => string.IsNullOrWhiteSpace(splits) ? TopKOverlap : MapMedium,
        TaskKind.Detection => DetectionRate,
        TaskKind.FeatureInversion or TaskKind.TextInversion => MeanCosine,
        TaskKind.Fare => None,
        _ => TwoAfcAccuracy,
    };
}
