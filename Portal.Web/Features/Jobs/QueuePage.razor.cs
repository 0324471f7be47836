using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Http;
using Portal.Web.Progress;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Jobs;

public partial class QueuePage
{
    /// <summary>Jobs per page of the queue.</summary>
    public const int PageSize = 50;

    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }
    [CascadingParameter] private HttpContext? HttpContext { get; set; }
    [SupplyParameterFromQuery(Name = "tab")] public string? QueryTab { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public int? QueryPage { get; set; }
    private System.Security.Claims.ClaimsPrincipal _user = new();
    private PortalQueries.JobsPage _page = new([], 0, 0);
    private readonly Dictionary<int, JobProgressMessage> _live = [];
    private readonly HashSet<int> _foreignJobs = [];
    private int _tab, _pageNumber = 1;
    private bool _static, _subscribed;

    private int Pages => Math.Max(1, (int)Math.Ceiling((_tab == 0 ? _page.Active : _page.All) / (double)PageSize));

    protected override async Task OnInitializedAsync()
    {
        _static = Portal.Web.Http.ReadCache.IsStaticRead(HttpContext);
        if (AuthState != null) _user = (await AuthState).User;
    }

    protected override async Task OnParametersSetAsync()
    {
        _pageNumber = Math.Max(1, QueryPage ?? 1);
        _tab = QueryTab switch { "active" => 0, "all" => 1, _ => -1 };
        await Reload();
        // Show everything when nothing is active, so a first visit after the demo finished is not an empty page.
        if (_tab == -1) { _tab = _page.Active > 0 ? 0 : 1; await Reload(); }
        if (!_static && !_subscribed) { Progress.OnMessage += OnProgress; _subscribed = true; }
    }

    private async Task Reload()
    {
        _page = await Queries.JobsPageAsync(activeOnly: _tab != 1, (_pageNumber - 1) * PageSize, PageSize);
        _foreignJobs.Clear();
    }

    private string PageLink(int page) => $"/queue?tab={(_tab == 0 ? "active" : "all")}" + (page > 1 ? $"&page={page}" : "");

    private void TabChanged(int tab) => Nav.NavigateTo(tab == 0 ? "/queue?tab=active" : "/queue?tab=all");

    private JobView View(JobRecord j) => new(j, _live.GetValueOrDefault(j.Id));

    private void OnProgress(JobProgressMessage m) => InvokeAsync(async () =>
    {
        if (_foreignJobs.Contains(m.JobId) && m.Status is "running") return; // a running job on another page of the list
        _live[m.JobId] = m;
        // A job the page does not show yet, or one that just ended: refresh the rows from the database.
        if (_page.Jobs.All(j => j.Id != m.JobId) || m.Status is not "running")
        {
            _live.Remove(m.JobId);
            await Reload();
            if (_page.Jobs.All(j => j.Id != m.JobId)) _foreignJobs.Add(m.JobId);
        }
        StateHasChanged();
    });

    private async Task Cancel(JobRecord job)
    {
        var id = job.Id;
        if (!_user.CanCancel(job)) { Snackbar.Add($"Only the submitter of job {id} or an admin can cancel it.", Severity.Warning); return; }
        try { await JobQueue.CancelAsync(id, CancellationToken.None); Snackbar.Add($"Job {id}: cancel requested.", Severity.Info); }
        catch (Exception e) { Snackbar.Add(e.Message, Severity.Error); }
        await Reload();
    }

    public void Dispose() { if (_subscribed) Progress.OnMessage -= OnProgress; }
}
