using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Benchmarks;
using System.Globalization;
using Portal.Engine.Retrieval;

namespace Portal.Web.Features.Retrieval;

public partial class ExamplesPage
{
    [Parameter] public int Id { get; set; }
    [SupplyParameterFromQuery(Name = "query")] public string? Query { get; set; }

    private ResultRecord? _result;
    private EvidenceIndex? _index;
    private List<int> _comparable = [];
    private int _pos;
    private bool _canReveal;
    private string? _error;
    private bool _missing;

    private EvidenceItem Current => _index!.Items[_pos];

    protected override async Task OnParametersSetAsync()
    {
        _canReveal = (await Auth.GetAuthenticationStateAsync()).User.IsResearcher();
        _result = await Queries.Result(Id);
        _missing = _result == null;
        if (_result == null) return;
        var folder = Files.Folder(_result);
        _index = folder == null ? null : Files.Index(folder);
        if (_index == null || _index.Items.Count == 0) { _error = $"Result {Id} has no adversarial examples (only retrieval and detection results keep them, and only while the job's files exist)."; return; }
        _pos = Math.Max(0, _index.Items.ToList().FindIndex(i => i.Id == Query));
        _comparable = await Queries.Comparable(_result);
    }

    /// <summary>Detection items are keyed detector|target|query; the query is what a reader looks for.</summary>
    public static string QueryName(string itemId) => itemId.Split('|')[^1];

    private void Go(int pos) => _pos = Math.Clamp(pos, 0, _index!.Items.Count - 1);

    /// <summary>The result's numbers named by what they are (the benchmark decides: a result loaded without its splits is still a mAP).</summary>
    public static string Headline(ResultRecord r)
    {
        var metric = ResultMetric.For(r);
        var text = metric.Summary(r.CleanValue, r.RobustValue, r.Config.IsAttack);
        // The mAP headline is the Medium protocol's (the per-protocol numbers are on the board).
        return metric == ResultMetric.Map ? text.Replace("mAP", "mAP (Medium)") : text;
    }
}
