using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Encoders;

public partial class EncoderVariantsCard
{
    [Parameter, EditorRequired] public EncoderRecord Encoder { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }
    private EncoderRecord? _parent;
    private List<EncoderRecord> _variants = [];
    private bool _researcher, _busy;
    private string? _name, _message;
    private Severity _severity;
    private int? _created;
    private long _sent, _total;
    private IJSObjectReference? _upload;
    private DotNetObjectReference<EncoderVariantsCard>? _self;

    private bool CanHaveVariants => Encoder.Status == EncoderStatus.Ready && !Encoder.IsBuiltin && Encoder.Format != "torchscript" && !Encoder.IsVariant;

    private static string Kind(EncoderRecord e) => FineTuning.Adapters(e) ?? "";

    protected override async Task OnParametersSetAsync()
    {
        (_parent, _variants) = await Queries.VariantsAsync(Encoder);
        if (AuthState != null) _researcher = (await AuthState).User.IsResearcher();
    }

    [JSInvokable]
    public Task OnUploadProgress(long sent, long total) => InvokeAsync(() => { (_sent, _total) = (sent, total); StateHasChanged(); });

    private async Task Upload()
    {
        _upload ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/upload.js");
        _self ??= DotNetObjectReference.Create(this);
        _busy = true; _message = null; _created = null; _sent = _total = 0;
        try
        {
            var url = $"/api/encoders/{Encoder.Id}/variants" + (string.IsNullOrWhiteSpace(_name) ? "" : "?name=" + Uri.EscapeDataString(_name.Trim()));
            var fields = new Dictionary<string, string> { ["mlp_head"] = "variant-mlp", ["lora_config"] = "variant-lora-config", ["lora_model"] = "variant-lora-model" };
            var r = await _upload.InvokeAsync<UploadResponse>("uploadForm", fields, url, _self);
            Answer(r.Status, r.Body);
            (_parent, _variants) = await Queries.VariantsAsync(Encoder);
        }
        finally { _busy = false; }
    }

    private void Answer(int status, string body)
    {
        string? error = null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("encoder", out var enc) && enc.TryGetProperty("id", out var id)) _created = id.GetInt32();
            error = doc.RootElement.TryGetProperty("error", out var er) ? er.GetString()
                : doc.RootElement.TryGetProperty("reason", out var re) && re.ValueKind == System.Text.Json.JsonValueKind.String ? re.GetString() : null;
        }
        catch (System.Text.Json.JsonException) { error = body.Length > 300 ? body[..300] : body; }
        (_message, _severity) = status switch
        {
            202 => ("Variant stored; validating in the background.", Severity.Success),
            200 => ("This variant is already registered (same checkpoint and files).", Severity.Info),
            401 or 403 => ("Sign in as a researcher to add variants.", Severity.Warning),
            _ => ($"Refused ({status}): {error}", Severity.Error),
        };
    }

    public async ValueTask DisposeAsync()
    {
        _self?.Dispose();
        if (_upload != null) { try { await _upload.DisposeAsync(); } catch (JSDisconnectedException) { } }
    }
}
