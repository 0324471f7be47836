using Portal.Data.Entities;
using Portal.Web.Features.Retrieval;

namespace Portal.Web.Features.Leaderboard;

/// <summary>One number of the all-tasks overview: its header, what it measures (metric, split, threat model), and the board it comes from.</summary>
public sealed record OverviewColumn(string Group, string Header, string Tooltip, string Href);

/// <summary>One encoder's numbers across the tasks (fractions in [0,1]; null where it has none), in column order.</summary>
public sealed record OverviewRow(int EncoderId, string Encoder, IReadOnlyList<double?> Values);

/// <summary>A retrieval or detection board as the overview reads it.</summary>
public sealed record TaskBoardInput(BenchmarkRecord Benchmark, IReadOnlyList<TaskBoardRow> Rows);

/// <summary>
/// The overview's side-by-side table: 2AFC (clean and L∞ robust agreement), each retrieval benchmark (mAP Medium/Hard,
/// clean and robust) and each detection benchmark (robust detection rate of the unsafe class, i.e. unsafe queries the
/// attack tries to pass off as safe). Rows are encoders with any number, sorted by name.
/// </summary>
public sealed class TaskOverview
{
    public required IReadOnlyList<OverviewColumn> Columns { get; init; }
    public required IReadOnlyList<OverviewRow> Rows { get; init; }

    public double? Best(int column) => Leaderboard.Best(Rows, r => r.Values[column]);

    public static TaskOverview Build(Leaderboard? twoAfc, IReadOnlyList<TaskBoardInput> boards)
    {
        var cols = new List<OverviewColumn>();
        var getters = new List<Func<int, double?>>();
        var names = new Dictionary<int, string>();

        if (twoAfc != null && twoAfc.Rows.Any(r => !r.IsReported))
        {
            var measured = twoAfc.Rows.Where(r => !r.IsReported).GroupBy(r => r.EncoderId).ToDictionary(g => g.Key, g => g.First());
            foreach (var r in measured.Values) names[r.EncoderId] = r.Encoder;
            cols.Add(new("2AFC", "2AFC clean", "2AFC agreement with human judgements, clean (mean over the 2AFC benchmarks)", "/"));
            getters.Add(id => measured.GetValueOrDefault(id)?.Clean);
            cols.Add(new("2AFC", $"2AFC robust L∞ {twoAfc.LinfEps}", $"2AFC agreement under APGD, L∞ ε={twoAfc.LinfEps} (mean over the 2AFC benchmarks)", "/"));
            getters.Add(id => measured.GetValueOrDefault(id)?.Linf);
        }

        foreach (var (bench, rows) in boards.OrderBy(b => b.Benchmark.TaskKind == TaskKind.Retrieval ? 0 : 1).ThenBy(b => b.Benchmark.Id))
        {
            if (rows.Count == 0) continue;
            foreach (var r in rows) names.TryAdd(r.Encoder.Id, r.Encoder.DisplayName);
            var table = TaskBoardTable.Build(bench, rows);
            var byEncoder = rows.ToDictionary(r => r.Encoder.Id);
            var wanted = bench.TaskKind == TaskKind.Retrieval
                ? table.Columns.Where(c => c.Split is "medium" or "hard").ToList()
                : table.Columns.Where(c => c.Robust && c.Split == "unsafe").ToList();
            if (wanted.Count == 0) wanted = table.Columns.ToList(); // a folder benchmark ("kept") or unnamed classes: show what there is
            foreach (var c in wanted)
            {
                var header = bench.TaskKind == TaskKind.Detection && c.Split == "unsafe" ? "unsafe→safe detection rate (robust)" : c.Header;
                cols.Add(new(bench.Name, header, c.Tooltip, $"/retrieval/{bench.Id}"));
                getters.Add(id => byEncoder.GetValueOrDefault(id) is { } row ? TaskBoardTable.Value(row, c) : null);
            }
        }

        var overviewRows = names.OrderBy(kv => kv.Value, StringComparer.OrdinalIgnoreCase)
            .Select(kv => new OverviewRow(kv.Key, kv.Value, getters.Select(g => g(kv.Key)).ToList()))
            .Where(r => r.Values.Any(v => v.HasValue)).ToList();
        return new TaskOverview { Columns = cols, Rows = overviewRows };
    }
}
