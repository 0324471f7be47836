using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Web.Features.Accounts;
using Portal.Web.Progress;

namespace Portal.Web.Features.Galleries;

/// <summary>
/// What the gallery pages share: live job progress from the broadcaster (bars move without a reload; a finished or
/// newly queued job reloads the page's data, so a new reconstruction appears by itself) and who the visitor is.
/// </summary>
public abstract class LiveGalleryPage : ComponentBase, IDisposable
{
    [Inject] protected ProgressBroadcaster Progress { get; set; } = default!;
    [Inject] protected GalleryQueries Galleries { get; set; } = default!;
    [Inject] protected GalleryService GalleryService { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }

    protected readonly Dictionary<int, JobProgressMessage> Live = [];
    protected bool Loading = true;
    protected bool IsResearcher;
    protected string? UserId;

    protected abstract Task LoadAsync();

    protected override async Task OnParametersSetAsync()
    {
        if (AuthState != null)
        {
            var user = (await AuthState).User;
            IsResearcher = user.IsResearcher();
            UserId = user.UserId();
        }
        await LoadAsync();
        Loading = false;
        Progress.OnMessage -= OnProgress;
        Progress.OnMessage += OnProgress;
    }

    private void OnProgress(JobProgressMessage m) => _ = InvokeAsync(async () =>
    {
        if (m.Status == "running") Live[m.JobId] = m;
        else { Live.Remove(m.JobId); await LoadAsync(); }
        StateHasChanged();
    });

    public void Dispose()
    {
        Progress.OnMessage -= OnProgress;
        GC.SuppressFinalize(this);
    }
}
