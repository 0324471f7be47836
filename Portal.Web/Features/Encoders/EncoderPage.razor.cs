using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Progress;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Encoders;

public partial class EncoderPage
{
    [Parameter] public int Id { get; set; }
    private EncoderPageQueries.EncoderDetails? _d;
    private bool _loading = true;
    private readonly Dictionary<int, JobProgressMessage> _live = [];

    private System.Security.Claims.ClaimsPrincipal _user = new();
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (AuthState != null) _user = (await AuthState).User;
        _d = await Queries.DetailsAsync(Id, _user);
        _loading = false;
        Events.OnChanged -= OnEncoderChanged; Events.OnChanged += OnEncoderChanged;
        Progress.OnMessage -= OnProgress; Progress.OnMessage += OnProgress;
    }

    private void OnEncoderChanged(int id)
    {
        if (id != Id) return;
        _ = InvokeAsync(async () => { _d = await Queries.DetailsAsync(Id, _user); StateHasChanged(); });
    }

    private void OnProgress(JobProgressMessage m)
    {
        if (_d == null || _d.Jobs.All(j => j.Id != m.JobId)) return;
        _ = InvokeAsync(async () =>
        {
            _live[m.JobId] = m;
            if (m.Status is not "running") { _d = await Queries.DetailsAsync(Id, _user); _live.Remove(m.JobId); }
            StateHasChanged();
        });
    }

    /// <summary>Admins always; the submitter while the encoder is rejected or unused (the API checks again).</summary>
    private bool CanDelete(EncoderRecord e) => e.Status != EncoderStatus.Validating && (_user.IsAdmin()
        || (e.SubmittedBy != null && e.SubmittedBy == _user.UserId() && (e.Status == EncoderStatus.Rejected || (_d!.Jobs.Count == 0 && _d.Results.Count == 0))));

    private async Task Delete()
    {
        if (_d == null) return;
        var ok = await Dialogs.ShowMessageBoxAsync("Delete encoder", $"Delete {_d.Encoder.DisplayName}" + (_d.Jobs.Count > 0 ? $" with its {_d.Jobs.Count} jobs and {_d.Results.Count} results" : "") + "?", yesText: "Delete", cancelText: "Keep");
        if (ok != true) return;
        try
        {
            await Deletion.DeleteEncoderAsync(_d.Encoder.Id, CancellationToken.None, _user);
            Nav.NavigateTo("/encoders");
        }
        catch (Exception ex) when (ex is InvalidOperationException or UnauthorizedAccessException or KeyNotFoundException) { Snackbar.Add(ex.Message, Severity.Error); }
    }

    public void Dispose() { Events.OnChanged -= OnEncoderChanged; Progress.OnMessage -= OnProgress; }
}
