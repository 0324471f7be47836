using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;
using System.Globalization;

namespace Portal.Web.Features.Robustify;

public partial class EncoderLineage
{
    [Parameter, EditorRequired] public EncoderRecord Encoder { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }
    private Lineage? _lineage;
    private bool _researcher, _busy;
    private string? _folder;
    private double _eps255 = 4;
    private int _steps = 1000, _batch = 32;
    private string _lr = "1e-5";
    private string? _userId;

    protected override async Task OnParametersSetAsync()
    {
        _lineage = await Service.LineageAsync(Encoder.Id);
        if (AuthState != null)
        {
            var user = (await AuthState).User;
            _researcher = user.IsResearcher();
            _userId = user.UserId();
        }
    }

    private async Task QueueStandard()
    {
        _busy = true;
        try
        {
            var jobs = await Service.QueueStandardEvaluationsAsync(Encoder.Id, _userId, CancellationToken.None);
            Snackbar.Add($"{jobs.Count} evaluation(s): {string.Join(", ", jobs.GroupBy(j => j.Outcome).Select(g => $"{g.Count()} {g.Key}"))}", Severity.Success);
        }
        catch (Exception e) { Snackbar.Add(e.Message, Severity.Error); }
        finally { _busy = false; }
    }

    private async Task Robustify()
    {
        _busy = true;
        try
        {
            if (!double.TryParse(_lr, NumberStyles.Float, CultureInfo.InvariantCulture, out var lr)) throw new ArgumentException($"learning rate '{_lr}' is not a number");
            var s = await Service.SubmitAsync(Encoder.Id, new RobustifyRequest { ImageFolder = _folder, Eps255 = _eps255, Steps = _steps, BatchSize = _batch, LearningRate = lr }, _userId, CancellationToken.None);
            Nav.NavigateTo($"/jobs/{s.Job.Id}");
        }
        catch (Exception e) { Snackbar.Add(e.Message, Severity.Error); }
        finally { _busy = false; }
    }
}
