using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Http;

namespace Portal.Web.Features.Galleries;

public partial class EncoderGalleryPage
{
    [Parameter] public int Id { get; set; }
    private EncoderRecord? _encoder;
    private List<GalleryResult> _results = [];
    private List<JobRecord> _active = [];
    private List<JobRecord> _failed = [];
    private List<GalleryRecord> _queueable = [];

    protected override async Task LoadAsync()
    {
        _encoder = await Galleries.EncoderAsync(Id);
        if (_encoder == null) return;
        _results = await Galleries.ResultsAsync(encoderId: Id);
        _active = await Galleries.ActiveJobsAsync(encoderId: Id);
        _failed = (await Galleries.FailedJobsAsync(encoderId: Id, take: 3)).Where(f => _results.All(r => r.Gallery.Id != f.DatasetId)).ToList();
        // Operator-defined galleries this encoder has not done and is not doing.
        _queueable = (await Galleries.GalleriesAsync())
            .Where(g => GalleryQueries.Definition(g)?.Origin == GalleryDefinition.DefinedOrigin)
            .Where(g => _results.All(r => r.Gallery.Id != g.Id) && _active.All(j => j.DatasetId != g.Id)).ToList();
    }

    private async Task Queue(GalleryRecord g)
    {
        try
        {
            var s = await GalleryService.QueueAsync(Id, g.Id, UserId, CancellationToken.None);
            Snackbar.Add($"{g.Name}: job {s.Job.Id} {s.Outcome}", Severity.Success);
            await LoadAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException or IOException or InvalidDataException or QuotaExceededException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }
}
