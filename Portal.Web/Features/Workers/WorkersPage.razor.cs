using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Workers;

/// <summary>Admin list of the workers, refreshed every two seconds off the circuit's thread.</summary>
public partial class WorkersPage
{
    [Inject] private WorkerQueries Queries { get; set; } = default!;
    [Inject] private IOptions<PortalOptions> Options { get; set; } = default!;

    private IReadOnlyList<WorkerView>? _workers;
    private Timer? _timer;

    private double LeaseSeconds => Options.Value.Dispatch.LeaseSeconds;

    protected override async Task OnInitializedAsync()
    {
        _workers = await Queries.ListAsync(CancellationToken.None);
        if (RendererInfo.IsInteractive)
            _timer = new Timer(_ => _ = InvokeAsync(async () => { _workers = await Queries.ListAsync(CancellationToken.None); StateHasChanged(); }),
                null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    }

    private static Color StateColor(string state) => state switch
    {
        "busy" => Color.Primary, "idle" => Color.Success, "lost" => Color.Error, _ => Color.Default,
    };

    private static string Ago(DateTime utc)
    {
        var s = (DateTime.UtcNow - utc).TotalSeconds;
        return s < 90 ? $"{s:F0} s ago" : s < 5400 ? $"{s / 60:F0} min ago" : utc.ToString("u");
    }

    public void Dispose() => _timer?.Dispose();
}
