using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Robustify;

public partial class FareJobPanel
{
    [Parameter, EditorRequired] public JobRecord Job { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }
    private EncoderRecord? _child;
    private bool _researcher, _busy;
    private string? _userId;

    protected override async Task OnParametersSetAsync()
    {
        if (Job.Config.Attack != FareSettings.Attack) return;
        _child = await Service.ChildOfJobAsync(Job.Id);
        if (AuthState != null)
        {
            var user = (await AuthState).User;
            _researcher = user.IsResearcher();
            _userId = user.UserId();
        }
    }

    private async Task QueueStandard()
    {
        if (_child == null) return;
        _busy = true;
        try
        {
            var jobs = await Service.QueueStandardEvaluationsAsync(_child.Id, _userId, CancellationToken.None);
            Snackbar.Add($"{jobs.Count} evaluation(s) of {_child.DisplayName}: {string.Join(", ", jobs.GroupBy(j => j.Outcome).Select(g => $"{g.Count()} {g.Key}"))}", Severity.Success);
        }
        catch (Exception e) { Snackbar.Add(e.Message, Severity.Error); }
        finally { _busy = false; }
    }
}
