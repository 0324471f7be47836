using Microsoft.AspNetCore.Components;
using Portal.Data.Entities;
using Portal.Engine.Inversion;
using Portal.Web.Features.Jobs;
using Portal.Web.Features.Retrieval;

namespace Portal.Web.Features.Galleries;

public partial class CompareGalleryPage
{
    [SupplyParameterFromQuery(Name = "gallery")] public int? GalleryQuery { get; set; }
    private List<GalleryRecord> _galleries = [];
    private bool _missing;
    private int _galleryId;
    private int _seed;
    private List<int> _seeds = [];
    private List<GalleryResult> _results = [];
    private List<JobRecord> _active = [];
    private List<string> _targets = [];
    private Dictionary<string, string> _originals = [];
    private HeatMap _heat = new([], []);

    protected override async Task LoadAsync()
    {
        _galleries = await Galleries.GalleriesAsync(TaskKind.FeatureInversion);
        // A gallery asked for by id that does not exist is a missing page, not a cue to show another gallery.
        _missing = GalleryQuery is int wanted && _galleries.All(g => g.Id != wanted);
        if (_galleries.Count == 0 || _missing) return;
        // The address decides when it names a gallery (a link followed from this page too); otherwise keep the choice, or show the newest.
        if (GalleryQuery is int q) _galleryId = q;
        else if (_galleryId == 0 || _galleries.All(g => g.Id != _galleryId)) _galleryId = _galleries[^1].Id;
        _results = await Galleries.ResultsAsync(galleryId: _galleryId);
        _active = (await Galleries.ActiveJobsAsync(kind: TaskKind.FeatureInversion)).Where(j => j.DatasetId == _galleryId).ToList();
        _seeds = _results.SelectMany(r => r.Index.Settings.Seeds).Distinct().Order().ToList();
        if (!_seeds.Contains(_seed) && _seeds.Count > 0) _seed = _seeds[0];
        _targets = _results.SelectMany(r => r.Index.Targets.Select(t => t.Id)).Distinct().ToList();
        // The original as the first encoder saw it (encoders with other input sizes show their own in their gallery pages).
        _originals = [];
        foreach (var r in _results)
            foreach (var t in r.Index.Targets.Where(t => t.Image != null))
                _originals.TryAdd(t.Id, r.Url(t.Image!));
        _heat = Galleries.HeatMapOf(_results);
    }

    /// <summary>A target is sensitive when the gallery marks it so (every result of one gallery shares its definition).</summary>
    private bool Sensitive(string target) => _results.Any(r => r.IsSensitive(target));

    private async Task SelectGallery(int id)
    {
        _galleryId = id;
        Nav.NavigateTo($"/galleries/compare?gallery={id}", replace: true);
        await LoadAsync();
    }
}
