using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using MudBlazor;
using Portal.Web.Features.Accounts;
using Portal.Web.Progress;

namespace Portal.Web.Features.Leaderboard;

public partial class LeaderboardPage
{
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }
    private bool _isAdmin;
    private System.Security.Claims.ClaimsPrincipal _viewer = new();

    private async Task AuditTop(int benchmarkId)
    {
        if (!_isAdmin) return; // the button is admins' only; checked again here, not only by hiding it
        try
        {
            var jobs = await Portal.Web.Features.Audit.AuditApi.QueueTopAsync(Db, Jobs, benchmarkId, 5, "linf", _viewer.UserId(), CancellationToken.None);
            Snackbar.Add($"{jobs.Count} audit(s) queued or already queued: they appear in the rows as they run.", Severity.Success);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or UnauthorizedAccessException or Portal.Web.Http.QuotaExceededException)
        {
            Snackbar.Add(e.Message, Severity.Warning);
        }
    }

    [Parameter] public string? Benchmark { get; set; }
    [CascadingParameter] private HttpContext? HttpContext { get; set; }
    // The static page's filters (same names as /api/leaderboards/{key}'s), read only when rendering statically.
    [SupplyParameterFromQuery(Name = "search")] public string? QuerySearch { get; set; }
    [SupplyParameterFromQuery(Name = "family")] public string? QueryFamily { get; set; }
    [SupplyParameterFromQuery(Name = "backbone")] public string? QueryBackbone { get; set; }
    [SupplyParameterFromQuery(Name = "kind")] public string? QueryKind { get; set; }
    [SupplyParameterFromQuery(Name = "source")] public string? QuerySource { get; set; }
    [SupplyParameterFromQuery(Name = "breakdown")] public string? QueryBreakdown { get; set; }
    [SupplyParameterFromQuery(Name = "chart")] public string? QueryChart { get; set; }
    private bool _static;
    [CascadingParameter(Name = "DarkMode")] public bool Dark { get; set; }

    private List<LeaderboardChoice> _choices = [];
    private Leaderboard? _board;
    private IReadOnlyList<LeaderboardRow> _rows = [];
    private bool _notFound, _breakdown;
    private string? _family, _backbone, _kind, _search;
    private string _source = LeaderboardFilter.BothSources;
    private AccuracyKind _chartKind = AccuracyKind.Linf;
    private readonly HashSet<int> _pinned = [];
    private readonly Dictionary<int, JobProgressMessage> _live = [];
    private readonly HashSet<int> _foreignJobs = [];
    private LeaderboardGrid? _grid;
    private readonly SemaphoreSlim _reloading = new(1, 1);

    protected override async Task OnInitializedAsync()
    {
        _static = Portal.Web.Http.ReadCache.IsStaticRead(HttpContext);
        if (!_static) Progress.OnMessage += OnProgress; // a static render ends with this request: nothing to update
        if (AuthState != null) _viewer = (await AuthState).User;
        _isAdmin = _viewer.IsAdmin();
    }

    protected override async Task OnParametersSetAsync()
    {
        _pinned.Clear(); _live.Clear(); _foreignJobs.Clear();
        _family = _backbone = _kind = _search = null;
        _source = LeaderboardFilter.BothSources;
        if (_static)
        {
            _search = Blank(QuerySearch); _family = Blank(QueryFamily); _backbone = Blank(QueryBackbone); _kind = Blank(QueryKind);
            _source = Blank(QuerySource) ?? LeaderboardFilter.BothSources;
            _chartKind = QueryChart == "l2" ? AccuracyKind.L2 : AccuracyKind.Linf;
        }
        await Reload();
        // Reported-only boards often have no headline split (ROxford M/H, NSFW queries): their columns are the breakdown.
        _breakdown = _static && QueryBreakdown != null ? QueryBreakdown == "1" : _board?.ReportedOnly == true;
    }

    private static string? Blank(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();

    private string BasePath => _board == null || _board.Key == LeaderboardBuilder.OverviewKey ? "/" : $"/leaderboards/{_board.Key}";

    private IEnumerable<KeyValuePair<string, string?>> FilterQuery() =>
    [
        new("search", _search), new("family", _family), new("backbone", _backbone), new("kind", _kind),
        new("source", _source == LeaderboardFilter.BothSources ? null : _source),
    ];

    private static string With(string path, IEnumerable<KeyValuePair<string, string?>> q) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path, q.Where(kv => kv.Value != null));

    /// <summary>This board with the current filters, and the chart kind given (links of the static page).</summary>
    private string Here(string? chart = null) => With(BasePath, FilterQuery().Append(new("breakdown", QueryBreakdown)).Append(new("chart", chart)));
    private string InteractiveLink() => With(BasePath, [new(Portal.Web.Http.ReadCache.InteractiveQuery, "1")]);
    private string ApiLink(string format) => With($"/api/leaderboards/{_board?.Key}", FilterQuery().Prepend(new("format", format)));

    private async Task Reload()
    {
        await _reloading.WaitAsync();
        try
        {
            _choices = await Service.ChoicesAsync();
            _board = await Service.BuildAsync(Benchmark ?? LeaderboardBuilder.OverviewKey);
            _notFound = _board == null;
            Refilter();
        }
        finally { _reloading.Release(); }
    }

    private void Refilter() => _rows = _board == null ? [] : new LeaderboardFilter(_family, _backbone, _kind, _search, _source).Apply(_board.Rows).ToList();

    private void TogglePin(LeaderboardRow row) { if (!_pinned.Remove(row.EncoderId)) _pinned.Add(row.EncoderId); }

    private List<ScatterPoint> ChartPoints() => _rows
        .Where(r => r.Clean.HasValue && r.Get(_chartKind).HasValue)
        .Select(r => new ScatterPoint(r.Clean!.Value * 100, r.Get(_chartKind)!.Value * 100, r.Encoder, r.IsReported ? "reported" : r.IsRobustModel ? "adversarially fine-tuned" : r.FineTuning == "— (baseline)" ? "baseline" : "clean"))
        .ToList();

    /// <summary>Progress of a row's job updates in place; a finished job, or one this page has not seen, reloads the board.</summary>
    private void OnProgress(JobProgressMessage m)
    {
        if (_board == null) return;
        var shown = _board.Rows.Any(r => r.Running.Any(j => j.JobId == m.JobId));
        var action = BoardProgressRule.For(m.Status, shown, _foreignJobs.Contains(m.JobId));
        if (action == BoardProgressRule.Action.Ignore) return;
        _ = InvokeAsync(async () =>
        {
            if (action == BoardProgressRule.Action.UpdateLive) _live[m.JobId] = m;
            else
            {
                _live.Remove(m.JobId);
                await Reload();
                var nowShown = _board?.Rows.Any(r => r.Running.Any(j => j.JobId == m.JobId)) == true;
                if (BoardProgressRule.IsActive(m.Status) && !nowShown) _foreignJobs.Add(m.JobId);
                else _foreignJobs.Remove(m.JobId);
            }
            StateHasChanged();
        });
    }

    private async Task ExportCsv()
    {
        if (_board == null) return;
        await Download(LeaderboardExport.FileName(_board, "csv"), LeaderboardExport.Csv(_board, VisibleRows()), "text/csv");
    }

    private async Task ExportJson()
    {
        if (_board == null) return;
        var json = System.Text.Json.JsonSerializer.Serialize(LeaderboardExport.Json(_board, VisibleRows()), new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        await Download(LeaderboardExport.FileName(_board, "json"), json, "application/json");
    }

    private IReadOnlyList<LeaderboardRow> VisibleRows() => _grid?.VisibleRows ?? _rows;

    private Task Download(string name, string text, string mime) => Files.SaveAsync(name, text, mime);

    public ValueTask DisposeAsync()
    {
        Progress.OnMessage -= OnProgress;
        return ValueTask.CompletedTask;
    }
}
