using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Portal.Web.Features.Audit;

public partial class AuditCurve
{
    private IJSObjectReference? _module;
    private bool _unavailable;
    private string _drawn = "";

    public sealed record Point(double X, double Y, string Label);

    [Parameter, EditorRequired] public string CanvasId { get; set; } = "";
    [Parameter, EditorRequired] public IReadOnlyList<Point> Points { get; set; } = [];
    [Parameter] public string XTitle { get; set; } = "";
    [Parameter] public double? Reference { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        var signature = string.Join(';', Points.Select(p => $"{p.X}:{p.Y}")) + XTitle + Reference;
        if (signature == _drawn || _unavailable) return;
        _drawn = signature;
        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/charts.js");
            var ok = await _module.InvokeAsync<bool>("renderCurve", CanvasId, Points.Select(p => new { x = p.X, y = p.Y }), XTitle, "robust accuracy", Reference, false);
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
