using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Http;
using Portal.Web.Features.Accounts;
using Portal.Engine.Inversion;
using Portal.Web.Features.Jobs;
using Portal.Web.Features.Retrieval;

namespace Portal.Web.Features.Galleries;

public partial class TextGalleryPage
{
    private (GalleryRecord Bench, GalleryDefinition Def)? _base;
    private List<EncoderRecord> _encoders = [];
    private int _encoderId;
    private string? _prompt;
    private bool _busy;
    private List<GalleryResult> _results = [];
    private List<JobRecord> _active = [];
    private List<JobRecord> _failed = [];
    private List<string> _prompts = [];
    private List<EncoderRecord> _columns = [];
    private readonly Dictionary<int, IReadOnlyList<string>> _jobPrompts = [];

    protected override async Task LoadAsync()
    {
        _base = await GalleryService.BaseTextGalleryAsync(CancellationToken.None);
        _encoders = await Galleries.InvertibleEncodersAsync();
        _results = await Galleries.ResultsAsync(kind: TaskKind.TextInversion);
        _active = await Galleries.ActiveJobsAsync(kind: TaskKind.TextInversion);
        _failed = await Galleries.FailedJobsAsync(kind: TaskKind.TextInversion, take: 3);
        foreach (var j in _active.Where(j => j.Dataset != null))
            _jobPrompts[j.Id] = GalleryQueries.Definition((GalleryRecord)j.Dataset!)?.Prompts ?? [];
        _prompts = _results.SelectMany(r => r.Index.Targets.Select(t => t.Prompt ?? t.Id))
            .Concat(_active.SelectMany(j => _jobPrompts.GetValueOrDefault(j.Id) ?? [])).Distinct().ToList();
        _columns = _results.Select(r => r.Encoder).Concat(_active.Select(j => j.Encoder!)).DistinctBy(e => e.Id).OrderBy(e => e.Id).ToList();
        if (_encoders.All(e => e.Id != _encoderId))
            _encoderId = _columns.Select(c => c.Id).Intersect(_encoders.Select(e => e.Id)).DefaultIfEmpty(_encoders.LastOrDefault()?.Id ?? 0).Last();
    }

    private (GalleryResult, InversionResultEntry?)? Cell(string prompt, int encoderId)
    {
        foreach (var r in _results.Where(r => r.Encoder.Id == encoderId).OrderByDescending(r => r.Result.Id))
            foreach (var t in r.Index.Targets.Where(t => (t.Prompt ?? t.Id) == prompt))
                if (r.Runs(t.Id).FirstOrDefault() is { } run) return (r, run);
        return null;
    }

    private JobRecord? Pending(string prompt, int encoderId) =>
        _active.FirstOrDefault(j => j.EncoderId == encoderId && (_jobPrompts.GetValueOrDefault(j.Id)?.Contains(prompt) ?? false));

    private async Task Request()
    {
        if (string.IsNullOrWhiteSpace(_prompt)) return;
        _busy = true;
        try
        {
            var (gallery, s) = await GalleryService.RequestTextAsync(new TextInversionRequest(_encoderId, _prompt), UserId, CancellationToken.None);
            Snackbar.Add(s.Outcome == Portal.Web.Features.Jobs.JobQueue.ReusedResult ? $"“{_prompt}” was already inverted with this encoder" : $"“{_prompt}” queued as job {s.Job.Id}", Severity.Success);
            _prompt = null;
            await LoadAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException or IOException or InvalidDataException or QuotaExceededException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally { _busy = false; }
    }
}
