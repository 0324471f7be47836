using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Encoders;

namespace Portal.Web.Features.Datasets;

/// <summary>Admin page of the dataset catalog: fetch one, follow its worker's progress (re-read every second, off the circuit's thread).</summary>
public partial class DatasetsPage
{
    [Inject] private DatasetFetches Fetches { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }

    private List<DatasetRow>? _rows;
    private Timer? _timer;
    private bool _busy;
    private string? _message;
    private Severity _severity;
    private ClaimsPrincipal _user = new();

    protected override async Task OnInitializedAsync()
    {
        if (AuthState != null) _user = (await AuthState).User;
        _rows = await Fetches.CatalogAsync(CancellationToken.None);
        if (RendererInfo.IsInteractive)
            _timer = new Timer(_ => _ = InvokeAsync(async () => { _rows = await Fetches.CatalogAsync(CancellationToken.None); StateHasChanged(); }),
                null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private async Task Fetch(string name)
    {
        _busy = true;
        try
        {
            var f = await Fetches.StartAsync(name, _user.UserId(), CancellationToken.None);
            (_message, _severity) = ($"{name}: queued (request {f.Id}); a worker downloads, checks, extracts and registers it.", Severity.Success);
            _rows = await Fetches.CatalogAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            (_message, _severity) = ($"{name}: {e.Message}", Severity.Error);
        }
        finally { _busy = false; }
    }

    private static string State(DatasetRow r) =>
        r.Benchmark != null ? "registered" : r.Latest?.Status.ToString().ToLowerInvariant() ?? "absent";

    private static double? Percent(DatasetFetchRecord f) =>
        f.BytesTotal is long total && total > 0 ? Math.Clamp(100.0 * f.BytesDone / total, 0, 100) : null;

    private static string Bytes(DatasetFetchRecord f) =>
        f.BytesDone == 0 ? "" : f.BytesTotal is long t && t > 0 ? $"{ByteSize.Format(f.BytesDone)} of {ByteSize.Format(t)}" : ByteSize.Format(f.BytesDone);

    public void Dispose() => _timer?.Dispose();
}
