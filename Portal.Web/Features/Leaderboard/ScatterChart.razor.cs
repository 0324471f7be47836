using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Portal.Web.Features.Leaderboard;

public partial class ScatterChart
{
    private IJSObjectReference? _module;
    private bool _unavailable;
    private string _drawn = "";

    [Parameter, EditorRequired] public IReadOnlyList<ScatterPoint> Points { get; set; } = [];
    [Parameter] public string CanvasId { get; set; } = "scatter";
    [Parameter] public string XTitle { get; set; } = "clean accuracy (%)";
    [Parameter] public string YTitle { get; set; } = "robust accuracy (%)";
    [Parameter] public bool Dark { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Redraw only when the points (or titles) changed, not on every re-render of the page.
        var signature = string.Join(';', Points.Select(p => $"{p.Label}:{p.X:0.###}:{p.Y:0.###}:{p.Group}")) + XTitle + YTitle + Dark;
        if (signature == _drawn || _unavailable) return;
        _drawn = signature;
        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/charts.js");
            var ok = await _module.InvokeAsync<bool>("renderScatter", CanvasId,
                Points.Select(p => new { x = p.X, y = p.Y, label = p.Label, group = p.Group }), XTitle, YTitle, Dark);
            if (!ok) { _unavailable = true; StateHasChanged(); }
        }
        catch (JSDisconnectedException) { }
        catch (JSException) { _unavailable = true; StateHasChanged(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_module == null) return;
        try { await _module.InvokeVoidAsync("destroy", CanvasId); await _module.DisposeAsync(); }
        catch (JSDisconnectedException) { }
    }
}
