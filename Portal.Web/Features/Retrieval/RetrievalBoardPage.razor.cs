using Microsoft.AspNetCore.Components;
using Portal.Data.Entities;

namespace Portal.Web.Features.Retrieval;

public partial class RetrievalBoardPage
{
    [Parameter] public int? BenchmarkId { get; set; }
    private List<BenchmarkRecord> _benchmarks = [];
    private BenchmarkRecord? _bench;
    private List<TaskBoardRow>? _rows;
    private string[] _splits = [];
    private TaskBoardTable? _table;
    private IReadOnlyList<TaskBoardRow> _sorted = [];
    private Dictionary<string, double?> _best = [];
    private string? _sortKey;
    private bool _descending = true;

    protected override async Task OnParametersSetAsync()
    {
        _benchmarks = await Queries.Benchmarks();
        _bench = BenchmarkId is int id ? _benchmarks.FirstOrDefault(b => b.Id == id) : _benchmarks.FirstOrDefault();
        _rows = _bench == null ? null : await Queries.Board(_bench.Id);
        _splits = _bench == null ? [] : TaskBoardTable.SplitsOf(_bench);
        _table = _bench == null || _rows == null ? null : TaskBoardTable.Build(_bench, _rows);
        _best = _table?.Columns.ToDictionary(c => c.Key, c => _table.Best(c)) ?? [];
        _sortKey = null; _descending = true;
        _sorted = _rows ?? [];
    }

    private void SortBy(string key)
    {
        if (_table == null) return;
        // First click on a number sorts best first; the encoder column starts A→Z; a second click reverses.
        _descending = _sortKey == key ? !_descending : key != "encoder";
        _sortKey = key;
        _sorted = _table.Sorted(key, _descending);
    }

    private string Arrow(string key) => _sortKey != key ? "" : _descending ? " ↓" : " ↑";

    private async Task ExportCsv()
    {
        if (_table == null || _bench == null) return;
        await Download(Portal.Web.Features.Export.TableExport.FileName("task-board", _bench.Name, _bench.Id.ToString(), "csv"),
            Portal.Web.Features.Export.TableExport.Csv(_table.ExportColumns, _table.ExportRows(_sorted)), "text/csv");
    }

    private async Task ExportJson()
    {
        if (_table == null || _bench == null) return;
        var doc = new
        {
            benchmark_id = _bench.Id, name = _bench.Name, task = _bench.TaskKind.Key(),
            columns = _table.Columns.Select(c => new { key = c.Key, header = c.Header, measures = c.Tooltip }),
            rows = Portal.Web.Features.Export.TableExport.Objects(_table.ExportColumns, _table.ExportRows(_sorted)),
        };
        var json = System.Text.Json.JsonSerializer.Serialize(doc, new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        await Download(Portal.Web.Features.Export.TableExport.FileName("task-board", _bench.Name, _bench.Id.ToString(), "json"), json, "application/json");
    }

    private Task Download(string name, string text, string mime) => Files.SaveAsync(name, text, mime);
}
