using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Web.Http;
using Portal.Web.Progress;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Jobs;

namespace Portal.Web.Features.Submit;

public partial class SubmitPage
{
    [SupplyParameterFromQuery(Name = "encoder")] public int? EncoderId { get; set; }
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }
    private System.Security.Claims.ClaimsPrincipal _user = new();

    private readonly EncoderMetadataForm _meta = new();
    private EncoderRecord? _encoder;
    private List<EncoderRecord> _ready = [];
    private List<BenchmarkRecord> _benchmarks = [];
    private readonly HashSet<int> _chosenBenchmarks = [];
    private readonly HashSet<string> _presets = [.. PresetChoices.Defaults];
    private int? _iterations, _limit;
    private string? _iterationsError, _limitError;
    private List<BenchmarkRecord> Chosen => _benchmarks.Where(b => _chosenBenchmarks.Contains(b.Id)).ToList();
    private int EvaluationCount => Chosen.Sum(b => PresetChoices.For(b, _presets).Length);
    private int _source;
    private string? _serverPath, _message;
    private readonly ImportSourceForm _import = new();
    private Severity _severity;
    private bool _busy;
    private long _uploaded, _uploadTotal;
    private List<SubmittedJob> _submitted = [];
    private readonly Dictionary<int, JobProgressMessage> _live = [];
    private IJSObjectReference? _upload;
    private DotNetObjectReference<SubmitPage>? _self;
    private double UploadPercent => _uploadTotal == 0 ? 0 : 100.0 * _uploaded / _uploadTotal;

    protected override async Task OnInitializedAsync()
    {
        if (AuthState != null) _user = (await AuthState).User;
        _meta.Submitter ??= _user.Identity?.Name;
        // Galleries are requested from their own pages (they take prompts or targets, not threat models).
        _benchmarks = await Queries.BenchmarksAsync();
        if (_benchmarks.Count == 1) _chosenBenchmarks.Add(_benchmarks[0].Id);
        await LoadReady();
        if (EncoderId is int id && (await Encoders.DetailsAsync(id, _user))?.Encoder is { } e) { _encoder = e; _source = 3; }
        Events.OnChanged += OnEncoderChanged;
        Progress.OnMessage += OnProgress;
    }

    private async Task LoadReady() => _ready = (await Encoders.ListAsync(_user)).Select(s => s.Encoder).Where(e => e.Status == EncoderStatus.Ready).ToList();

    private static void Toggle<T>(HashSet<T> set, T item, bool on) { if (on) set.Add(item); else set.Remove(item); }

    private async Task PickExisting(int id) => _encoder = (await Encoders.DetailsAsync(id, _user))?.Encoder;

    private async Task Upload()
    {
        _upload ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/upload.js");
        _self ??= DotNetObjectReference.Create(this);
        _busy = true; _message = null; _uploaded = _uploadTotal = 0;
        try
        {
            var response = await _upload.InvokeAsync<UploadResponse>("uploadFile", "checkpoint-file", "/api/encoders/upload?" + _meta.Query(), _self);
            await Registered(response.Status, response.Body);
        }
        finally { _busy = false; }
    }

    /// <summary>The upload endpoint answers 202 (validating), 200 (already known) or an error whose body says why.</summary>
    private async Task Registered(int status, string body)
    {
        int? id = null;
        string? error = null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("encoder", out var enc) && enc.TryGetProperty("id", out var idEl)) id = idEl.GetInt32();
            error = doc.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == System.Text.Json.JsonValueKind.String ? r.GetString()
                : doc.RootElement.TryGetProperty("error", out var er) ? er.GetString() : null;
        }
        catch (System.Text.Json.JsonException) { error = body.Length > 300 ? body[..300] : body; }
        (_message, _severity) = status switch
        {
            202 => ("Uploaded; validating in the background.", Severity.Success),
            200 => ("This file is already registered (same sha256); using the existing entry.", Severity.Info),
            401 or 403 => ("Sign in as a researcher to upload checkpoints.", Severity.Warning),
            0 => ($"Upload failed: {error}", Severity.Error),
            _ => ($"Upload refused ({status}): {error}", Severity.Error),
        };
        _encoder = id is int i ? (await Encoders.DetailsAsync(i, _user))?.Encoder : null;
        WatchValidation();
    }

    /// <summary>
    /// Re-reads a validating encoder every second until it is decided: its "changed" event can fire before the upload's
    /// answer reaches this page (a small checkpoint validates in milliseconds), and must not leave the page waiting.
    /// </summary>
    private void WatchValidation() => _ = InvokeAsync(async () =>
    {
        while (!_disposed && _encoder is { Status: EncoderStatus.Validating } e)
        {
            await Task.Delay(1000);
            var fresh = (await Encoders.DetailsAsync(e.Id, _user))?.Encoder;
            if (_disposed || fresh == null || _encoder?.Id != e.Id) return;
            if (fresh.Status != EncoderStatus.Validating) { _encoder = fresh; await LoadReady(); StateHasChanged(); }
            else if (fresh.ImportedBytes != e.ImportedBytes || fresh.StoragePath != e.StoragePath) { _encoder = fresh; StateHasChanged(); }
        }
    });

    [JSInvokable]
    public Task OnUploadProgress(long loaded, long total)
    {
        _uploaded = loaded; _uploadTotal = total;
        return InvokeAsync(StateHasChanged);
    }

    private async Task Import()
    {
        _busy = true; _message = null;
        try
        {
            _encoder = await Imports.StartAsync(_import.ToRequest(), _meta.ToMetadata() with { SubmittedBy = _user.UserId() }, CancellationToken.None);
            (_message, _severity) = ("Queued: a worker downloads the checkpoint, then validates it.", Severity.Success);
            WatchValidation();
        }
        catch (Exception ex) when (ex is ArgumentException or UnauthorizedAccessException or InvalidOperationException or QuotaExceededException)
        {
            (_message, _severity) = ($"Import refused: {ex.Message}", Severity.Error);
        }
        finally { _busy = false; }
    }

    private async Task RegisterServerFile()
    {
        _busy = true;
        try
        {
            if (!_user.IsAdmin()) throw new UnauthorizedAccessException("registering a file on the server is for admins");
            var o = await Registry.RegisterServerFileAsync(_serverPath ?? "", _meta.ToMetadata() with { SubmittedBy = _user.UserId() }, CancellationToken.None);
            (_message, _severity) = o.Duplicate ? ("Already registered (same sha256); using the existing entry.", Severity.Info) : ("Registered; validating in the background.", Severity.Success);
            _encoder = o.Encoder;
            WatchValidation();
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            (_message, _severity) = (e.Message, Severity.Error);
        }
        finally { _busy = false; }
    }

    private async Task Submit()
    {
        if (_encoder == null) return;
        // The same checks as the queue's, shown at the field: nothing is queued with a number other than the one typed.
        _iterationsError = Presets.IterationsProblem(_iterations);
        _limitError = Presets.LimitProblem(_limit);
        if (_iterationsError != null || _limitError != null)
        {
            (_message, _severity) = ($"Nothing queued: {_iterationsError ?? _limitError}.", Severity.Error);
            return;
        }
        _busy = true;
        try
        {
            var all = new List<SubmittedJob>();
            foreach (var b in Chosen.Where(b => PresetChoices.For(b, _presets).Length > 0))
                all.AddRange(await JobQueue.SubmitAsync(new JobRequest(_encoder.Id, b.Id, PresetChoices.For(b, _presets), Iterations: _iterations, Limit: _limit), CancellationToken.None, _user.UserId()));
            // The queue returns bare rows; show them with their benchmark names.
            _submitted = all.Select(s => s with { Job = WithBenchmark(s.Job) }).ToList();
            (_message, _severity) = ($"Queued {all.Count(s => s.Outcome == JobQueue.Queued)} job(s); {all.Count(s => s.Outcome != JobQueue.Queued)} reused or already queued.", Severity.Success);
            // A fast job may have finished before this list existed (its messages were not for a job shown yet): read them once.
            await RefreshSubmitted();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or QuotaExceededException)
        {
            (_message, _severity) = (e.Message, Severity.Error);
        }
        finally { _busy = false; }
    }

    private async Task Cancel(int jobId)
    {
        var job = _submitted.FirstOrDefault(s => s.Job.Id == jobId)?.Job;
        if (job == null || !_user.CanCancel(job)) return;
        await JobQueue.CancelAsync(jobId, CancellationToken.None);
    }

    private JobRecord WithBenchmark(JobRecord j) { j.Dataset ??= _benchmarks.FirstOrDefault(b => b.Id == j.DatasetId); return j; }

    private async Task RefreshSubmitted()
    {
        var fresh = new List<SubmittedJob>();
        foreach (var s in _submitted)
        {
            var (job, _) = await Queries.JobAsync(s.Job.Id);
            fresh.Add(job == null ? s : s with { Job = job });
            if (job != null && job.Status != JobStatus.Running) _live.Remove(job.Id); // live messages matter while it runs; after, the row is the truth
        }
        _submitted = fresh;
    }

    private static string Origin(string outcome) => outcome switch
    {
        JobQueue.Queued => "new job",
        JobQueue.ReusedResult => "reuses an identical earlier result",
        JobQueue.AlreadyQueued => "joined the identical job already in the queue",
        var o => o,
    };

    private void OnEncoderChanged(int id)
    {
        if (_encoder?.Id != id) { _ = InvokeAsync(async () => { await LoadReady(); StateHasChanged(); }); return; }
        _ = InvokeAsync(async () => { _encoder = (await Encoders.DetailsAsync(id, _user))?.Encoder; await LoadReady(); StateHasChanged(); });
    }

    private void OnProgress(JobProgressMessage m)
    {
        if (_submitted.All(s => s.Job.Id != m.JobId)) return;
        _ = InvokeAsync(async () =>
        {
            _live[m.JobId] = m;
            if (m.Status is not "running")
            {
                // An ended (or re-queued) job: the row is the truth; drop the message so the row's status shows.
                var (job, _) = await Queries.JobAsync(m.JobId);
                if (job != null) { _submitted = _submitted.Select(s => s.Job.Id == job.Id ? s with { Job = job } : s).ToList(); _live.Remove(m.JobId); }
            }
            StateHasChanged();
        });
    }


    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        Events.OnChanged -= OnEncoderChanged;
        Progress.OnMessage -= OnProgress;
        _self?.Dispose();
        if (_upload != null) try { await _upload.DisposeAsync(); } catch (JSDisconnectedException) { }
    }
}
