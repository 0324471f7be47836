using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Portal.Web.Components;

/// <summary>
/// A canvas drawn by <c>wwwroot/js/charts.js</c> (Chart.js): the module is imported once, the chart redrawn only when
/// what it shows changed (not on every re-render of the page), and <see cref="Unavailable"/> set when Chart.js is not
/// installed or refuses, so the component shows its numbers as text instead. Subclasses say what they draw.
/// </summary>
public abstract class ChartCanvas : ComponentBase, IAsyncDisposable
{
    private IJSObjectReference? _module;
    private string _drawn = "";

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Parameter, EditorRequired] public string CanvasId { get; set; } = "";

    /// <summary>The chart module could not draw: show the numbers another way.</summary>
    protected bool Unavailable { get; private set; }

    /// <summary>Everything the chart shows, as text: a change redraws it.</summary>
    protected abstract string Signature();

    /// <summary>Draws on the canvas with the module's function; false when Chart.js is missing.</summary>
    protected abstract ValueTask<bool> DrawAsync(IJSObjectReference charts);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        var signature = Signature();
        if (signature == _drawn || Unavailable) return;
        _drawn = signature;
        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/charts.js");
            if (!await DrawAsync(_module)) { Unavailable = true; StateHasChanged(); }
        }
        catch (JSDisconnectedException) { }
        catch (JSException) { Unavailable = true; StateHasChanged(); }
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_module == null) return;
        try { await _module.InvokeVoidAsync("destroy", CanvasId); await _module.DisposeAsync(); }
        catch (JSDisconnectedException) { }
    }
}
