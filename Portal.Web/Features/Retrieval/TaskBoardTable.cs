using Portal.Data.Entities;
using Portal.Web.Features.Jobs;

namespace Portal.Web.Features.Retrieval;

/// <summary>One numeric column of a retrieval/detection board: what it measures, for the header's tooltip and the export.</summary>
public sealed record TaskColumn(string Key, string Header, string Tooltip, bool Robust, string Split);

/// <summary>
/// A retrieval or detection board as columns and values (fractions in [0,1]): what the page shows, sorts, bolds and exports.
/// Retrieval columns are "mAP M/H clean/robust", detection columns "detection rate {class} clean/robust".
/// </summary>
public sealed class TaskBoardTable
{
    public required TaskKind TaskKind { get; init; }
    public required IReadOnlyList<TaskColumn> Columns { get; init; }
    public required IReadOnlyList<TaskBoardRow> Rows { get; init; }

    public static string Metric(TaskKind taskKind, string split) => taskKind == Portal.Data.Entities.TaskKind.Retrieval
        ? split switch { "medium" => "mAP M", "hard" => "mAP H", _ => "top-5 kept" }
        : $"detection rate {split}";

    /// <summary>The benchmark's splits (protocols or classes); a folder benchmark without ground truth has one, "kept".</summary>
    public static string[] SplitsOf(BenchmarkRecord bench) => bench.Splits.Split(',', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } s ? s : ["kept"];

    public static TaskBoardTable Build(BenchmarkRecord bench, IReadOnlyList<TaskBoardRow> rows)
    {
        var splits = SplitsOf(bench);
        // The threat model of the robust columns: the attacked results' setting (one line if all rows agree).
        var settings = rows.Select(r => r.Attacked?.Config).OfType<JobConfig>().Select(PortalQueries.Setting).Distinct().ToList();
        var threat = settings.Count switch { 0 => "no attacked result yet", 1 => settings[0], _ => string.Join(" / ", settings) + " (see each row's Attack column)" };
        var retrieval = bench.TaskKind == Portal.Data.Entities.TaskKind.Retrieval;
        string What(string split) => retrieval
            ? split switch
            {
                "medium" => "mAP (revisitop, Medium protocol: easy + hard positives)",
                "hard" => "mAP (revisitop, Hard protocol: hard positives only, easy ones ignored)",
                _ => "share of the clean top-5 neighbours still in the top-5 (no ground truth)",
            }
            : $"detection rate of true class “{split}”: share of its queries assigned to their own class by retrieval";
        var attackText = retrieval ? "queries attacked with untargeted APGD on the embedding (Eq. 6)"
            : "targeted attack (Eq. 5: unsafe queries pushed towards safe, safe towards unsafe)";
        var cols = new List<TaskColumn>();
        foreach (var sp in splits) cols.Add(new($"{sp}_clean", $"{Metric(bench.TaskKind, sp)} clean", $"{What(sp)} on {bench.Name}; clean queries, no attack.", false, sp));
        foreach (var sp in splits) cols.Add(new($"{sp}_robust", $"{Metric(bench.TaskKind, sp)} robust", $"{What(sp)} on {bench.Name}; {attackText}; threat model: {threat}.", true, sp));
        return new TaskBoardTable { TaskKind = bench.TaskKind, Columns = cols, Rows = rows };
    }

    /// <summary>The value of a column in a row (a single-split result falls back to its overall number).</summary>
    public static double? Value(TaskBoardRow r, TaskColumn c)
    {
        if (c.Robust)
            return r.RobustSplit(c.Split) ?? (r.Attacked is { Splits.Count: 0 } a ? a.RobustValue : null);
        return r.CleanSplit(c.Split) ?? ((r.Clean ?? r.Attacked) is { Splits.Count: 0 } x ? x.CleanValue : null);
    }

    /// <summary>The best (largest) value of each column, null where no row has one.</summary>
    // The column's best, as Leaderboard.Best has it (max of the values present); not called from here, since the
    // leaderboard's all-tasks overview uses this table and Retrieval must not use Leaderboard back.
    public double? Best(TaskColumn c) => Rows.Select(r => Value(r, c)).Where(v => v.HasValue).DefaultIfEmpty(null).Max();

    /// <summary>Rows ordered by a column (missing values last in either direction; ties by encoder name).</summary>
    public IReadOnlyList<TaskBoardRow> Sorted(string? columnKey, bool descending)
    {
        if (columnKey == "encoder")
            return descending ? Rows.OrderByDescending(r => r.Encoder.DisplayName, StringComparer.OrdinalIgnoreCase).ToList()
                : Rows.OrderBy(r => r.Encoder.DisplayName, StringComparer.OrdinalIgnoreCase).ToList();
        var c = Columns.FirstOrDefault(x => x.Key == columnKey);
        if (c == null) return Rows;
        var withValue = Rows.Where(r => Value(r, c).HasValue);
        var ordered = descending ? withValue.OrderByDescending(r => Value(r, c)) : withValue.OrderBy(r => Value(r, c));
        return ordered.ThenBy(r => r.Encoder.DisplayName, StringComparer.OrdinalIgnoreCase).Concat(Rows.Where(r => !Value(r, c).HasValue)).ToList();
    }

    public IReadOnlyList<string> ExportColumns => ["rank", "encoder_id", "encoder", .. Columns.Select(c => c.Key), "attack", "clean_result_id", "attacked_result_id"];

    public IEnumerable<IReadOnlyList<object?>> ExportRows(IEnumerable<TaskBoardRow> rows) => rows.Select((r, i) => (IReadOnlyList<object?>)
        [i + 1, r.Encoder.Id, r.Encoder.DisplayName, .. Columns.Select(c => (object?)Value(r, c)),
         r.Attacked != null ? PortalQueries.Setting(r.Attacked.Config) : null, r.Clean?.Id, r.Attacked?.Id]);
}
