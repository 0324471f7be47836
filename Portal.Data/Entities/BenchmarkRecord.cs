namespace Portal.Data.Entities;

/// <summary>
/// A dataset + protocol results are ranked on (2AFC, retrieval, detection): the record behind a leaderboard. Its own
/// table holds what only benchmarks have: the layout and the splits results report.
/// </summary>
public sealed class BenchmarkRecord : DatasetRecord
{
    /// <summary>Dataset layout: "nights", "bapps", "revisitop", "nsfw-pools", ….</summary>
    public required string Format { get; set; }
    /// <summary>The split evaluated (e.g. "test" = union of test_imagenet and test_no_imagenet).</summary>
    public required string Split { get; set; }
    /// <summary>Names of the sub-splits results report, comma separated.</summary>
    public string Splits { get; set; } = "";

    public override bool Allows(TaskKind kind) => kind is TaskKind.TwoAfc || kind.IsRetrievalOrDetection();
    public override string KindNoun() => $"{TaskKind.Key()} benchmark";
}
