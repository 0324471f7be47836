using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Entities;

namespace Portal.Web.Features.Reported;

public partial class ReportedLinkControl
{
    [Parameter, EditorRequired] public EncoderRecord Encoder { get; set; } = default!;
    [Parameter] public bool IsAdmin { get; set; }

    private List<ReportedModelName> _models = [];
    private ReportedModelName? _linked;
    private string? _choice;

    private static string Key(ReportedModelName m) => $"{m.Method}\u001f{m.Encoder}\u001f{m.Training}";

    protected override async Task OnParametersSetAsync()
    {
        _linked = ReportedService.LinkOf(Encoder);
        _choice = _linked is { } l ? Key(l) : null;
        if (IsAdmin && _models.Count == 0) _models = await Service.ModelsAsync();
    }

    private async Task Link()
    {
        var m = _models.FirstOrDefault(x => Key(x) == _choice);
        if (m == null) return;
        try
        {
            _linked = await Service.LinkAsync(Encoder.Id, m);
            (Encoder.ReportedMethod, Encoder.ReportedBackbone, Encoder.ReportedTraining) = (m.Method, m.Encoder, m.Training);
            Snackbar.Add($"Linked to {m.Label}", Severity.Success);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException) { Snackbar.Add(e.Message, Severity.Error); }
    }

    private async Task Unlink()
    {
        await Service.LinkAsync(Encoder.Id, null);
        _linked = null; _choice = null;
        (Encoder.ReportedMethod, Encoder.ReportedBackbone, Encoder.ReportedTraining) = (null, null, null);
        Snackbar.Add("Unlinked", Severity.Info);
    }
}
