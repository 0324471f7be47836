using Microsoft.JSInterop;

namespace Portal.Web.Features.Export;

/// <summary>
/// Saves generated text (a board's CSV/JSON) as a file in the visitor's browser through js/download.js; one per circuit,
/// so every page shares the imported module and it is released when the circuit ends.
/// </summary>
public sealed class FileDownload(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? _module;

    public async Task SaveAsync(string fileName, string text, string mime)
    {
        _module ??= await js.InvokeAsync<IJSObjectReference>("import", "./js/download.js");
        await _module.InvokeVoidAsync("downloadText", fileName, text, mime);
    }

    public async ValueTask DisposeAsync()
    {
        if (_module != null) try { await _module.DisposeAsync(); } catch (JSDisconnectedException) { }
    }
}
