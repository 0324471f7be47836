using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Fetch;
using Portal.Web.Configuration;
using Portal.Worker.Execution;

namespace Portal.Worker.Validation;

/// <summary>
/// The first step of validating an encoder imported by URL or hub id (Portal.Web/Features/Encoders/CheckpointImports.cs): download it
/// here, in the worker, with the engine's fetcher (http(s) only, redirects bounded, private addresses refused unless
/// Portal:Imports:AllowedHosts names the host, the upload size limit, the expected sha256), resuming from the part file
/// under imports/&lt;id&gt;/ when an earlier try or worker died half-way. Then the file becomes the record's checkpoint
/// exactly as an upload's would (checkpoints/&lt;sha256&gt;.ckpt), and validation goes on. Any refusal throws with a
/// message the submitter can act on; the caller rejects the record with it.
/// </summary>
public sealed class CheckpointImport(
    IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, RemoteFiles files, IOptions<PortalOptions> options, ILogger<CheckpointImport> log)
{
    /// <summary>How often download progress is written to the database (pages follow it through the progress relay).</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    public string Folder(int encoderId) => Path.Combine(paths.Root, "imports", encoderId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Import(PortalDbContext db, EncoderRecord e)
    {
        var source = e.SourceUrl ?? throw new InvalidOperationException($"encoder {e.Id} has no import source");
        var folder = Folder(e.Id);
        Directory.CreateDirectory(folder);
        var settings = options.Value.Imports;
        var fetchOptions = new FetchOptions
        {
            MaxBytes = options.Value.MaxUploadBytes,
            AllowedHosts = settings.AllowedHosts,
            // The hub token goes to the hub only: FetchHttp sends it to the first host, never across a redirect.
            BearerToken = HubSource.IsHub(source) ? settings.HubToken : null,
            Progress = Reporter(e.Id),
        };
        log.LogInformation("encoder {Id}: downloading {Source}", e.Id, e.Source);
        CheckpointFetchResult fetched;
        try
        {
            fetched = new CheckpointFetcher(fetchOptions, settings.HubBaseUrl)
                .FetchAsync(source, folder, e.ExpectedSha256, HubSource.IsHub(source) ? e.SourceRevision : null, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (Exception x) when (x is HttpRequestException or IOException or TimeoutException)
        {
            // Retries and resumption already happened inside the fetcher; what is left is the server's answer or silence.
            throw new FetchException($"downloading {e.Source} failed: {x.Message}", x);
        }
        var d = fetched.Download;
        e.SourceFile = fetched.HubFile;
        e.DownloadUrl = Uri.TryCreate(d.ResolvedUrl, UriKind.Absolute, out var resolved) ? FetchHttp.Redact(resolved) : d.ResolvedUrl;
        (e.ImportedBytes, e.ImportTotalBytes, e.SizeBytes) = (d.Bytes, d.Bytes, d.Bytes);
        if (d.Bytes == 0) { DeleteFolder(e.Id); throw new InvalidDataException("the downloaded file is empty (0 bytes)"); }
        ClaimHash(db, e, d.Sha256);

        if (files.WorksOnCopies)
        {
            // The web stores the bytes under its own root and points the record at them.
            files.SendImportedCheckpoint(e.Id, d.Path, d.Sha256);
            db.Entry(e).Reload(); // everything of ours was saved with the hash; the web wrote the path
        }
        else
        {
            var stored = paths.CheckpointFor(d.Sha256);
            File.Move(d.Path, stored, overwrite: true);
            (e.StoragePath, e.OwnsFile) = (stored, true);
            db.SaveChanges();
        }
        DeleteFolder(e.Id);
        log.LogInformation("encoder {Id}: imported {Bytes} bytes from {Url} (sha256 {Sha}, {Attempts} attempt(s), resumed at {From})",
            e.Id, d.Bytes, e.DownloadUrl, d.Sha256, d.Attempts, d.ResumedFrom);
    }

    /// <summary>
    /// One record per distinct file, as for uploads: bytes already registered (and not rejected) make this import a
    /// duplicate; a rejected record holding them gives them up (the engine may read them now).
    /// </summary>
    private void ClaimHash(PortalDbContext db, EncoderRecord e, string sha)
    {
        var other = db.Encoders.FirstOrDefault(x => x.Sha256 == sha && x.Id != e.Id);
        if (other != null && other.Status != EncoderStatus.Rejected)
        {
            DeleteFolder(e.Id);
            throw new InvalidDataException($"the downloaded file (sha256 {sha}) is already registered as encoder {other.Id} ({other.DisplayName})");
        }
        if (other != null) other.Sha256 = null;
        e.Sha256 = sha;
        try { db.SaveChanges(); }
        catch (DbUpdateException)
        {
            // Another import of the same bytes claimed the hash between the check and the save.
            e.Sha256 = null;
            if (other != null) db.Entry(other).State = EntityState.Unchanged;
            DeleteFolder(e.Id);
            throw new InvalidDataException($"the downloaded file (sha256 {sha}) was registered by another encoder at the same time");
        }
    }

    public void DeleteFolder(int encoderId)
    {
        try { if (Directory.Exists(Folder(encoderId))) Directory.Delete(Folder(encoderId), recursive: true); }
        catch (IOException x) { log.LogWarning("could not delete the import folder of encoder {Id}: {Message}", encoderId, x.Message); }
    }

    /// <summary>Writes bytes-so-far at most once a second, on its own context (the caller's tracks the record).</summary>
    private Action<long, long?> Reporter(int id) => ThrottledProgress.Every(ProgressEvery, (bytes, total) =>
    {
        try
        {
            using var db = dbFactory.CreateDbContext();
            db.Encoders.Where(x => x.Id == id).ExecuteUpdate(s => s.SetProperty(x => x.ImportedBytes, bytes).SetProperty(x => x.ImportTotalBytes, total));
        }
        catch (Exception x) { log.LogWarning("could not record the download progress of encoder {Id}: {Message}", id, x.Message); }
    });
}
