using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Progress;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Jobs;

public partial class JobPage
{
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }
    private System.Security.Claims.ClaimsPrincipal _user = new();
    [Parameter] public int Id { get; set; }
    private JobRecord? _job;
    private ResultRecord? _result;
    private JobProgressMessage? _live;
    private bool _loading = true;

    protected override async Task OnParametersSetAsync()
    {
        if (AuthState != null) _user = (await AuthState).User;
        await Load();
        Progress.OnMessage -= OnProgress;
        Progress.OnMessage += OnProgress;
    }

    private async Task Load()
    {
        (_job, _result) = await Queries.JobAsync(Id);
        _loading = false;
    }

    private void OnProgress(JobProgressMessage m)
    {
        if (m.JobId != Id) return;
        _ = InvokeAsync(async () =>
        {
            _live = m;
            if (m.Status is not "running") { await Load(); _live = null; }
            StateHasChanged();
        });
    }

    private async Task Cancel()
    {
        if (_job == null || !_user.CanCancel(_job)) { Snackbar.Add("Only the job's submitter or an admin can cancel it.", Severity.Warning); return; }
        try { await JobQueue.CancelAsync(Id, CancellationToken.None); Snackbar.Add("Cancel requested.", Severity.Info); }
        catch (Exception e) { Snackbar.Add(e.Message, Severity.Error); }
        await Load();
    }

    public void Dispose() => Progress.OnMessage -= OnProgress;
}
