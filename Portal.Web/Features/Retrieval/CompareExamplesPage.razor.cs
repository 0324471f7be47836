using Microsoft.AspNetCore.Components;
using Portal.Data.Entities;
using Portal.Engine.Retrieval;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Retrieval;

public partial class CompareExamplesPage
{
    [SupplyParameterFromQuery(Name = "results")] public string? ResultIds { get; set; }
    [SupplyParameterFromQuery(Name = "query")] public string? Query { get; set; }

    private List<(ResultRecord Result, EvidenceIndex Index)> _columns = [];
    private List<string> _queries = [];
    private int _pos;
    private bool _canReveal;
    private string? _error;
    private List<int> _missing = [];

    protected override async Task OnParametersSetAsync()
    {
        _canReveal = (await Auth.GetAuthenticationStateAsync()).User.IsResearcher();
        var ids = (ResultIds ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var i) ? i : -1).ToList();
        if (ids.Count == 0 || ids.Contains(-1)) { _error = "Give the results to compare as ?results=1,2,3 (result ids)."; return; }
        var results = await Queries.Results(ids);
        _missing = ids.Except(results.Select(r => r.Id)).ToList();
        if (_missing.Count > 0) return;
        _columns = [];
        foreach (var r in results)
        {
            var folder = Files.Folder(r);
            var index = folder == null ? null : Files.Index(folder);
            if (index == null || index.Items.Count == 0) { _error = $"Result {r.Id} has no adversarial examples."; return; }
            _columns.Add((r, index));
        }
        if (results.Select(r => r.DatasetId).Distinct().Count() > 1) { _error = "These results are on different benchmarks; compare results of one benchmark."; _columns = []; return; }
        _queries = _columns[0].Index.Items.Select(i => i.Id).Where(q => _columns.All(c => c.Index.Items.Any(i => i.Id == q))).ToList();
        if (_queries.Count == 0) { _error = "These results have no example query in common."; _columns = []; return; }
        _pos = Math.Max(0, _queries.IndexOf(Query ?? ""));
    }

    private void Go(int pos) => _pos = Math.Clamp(pos, 0, _queries.Count - 1);
}
