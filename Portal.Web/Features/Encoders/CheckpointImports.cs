using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Fetch;
using Portal.Web.Configuration;
using Portal.Web.Http;

namespace Portal.Web.Features.Encoders;

/// <summary>What a submitter asks to import: a URL or hub id, optionally the sha256 they expect and a hub revision.</summary>
public sealed record ImportRequest(string? Source, string? Sha256 = null, string? Revision = null);

/// <summary>
/// Checkpoints by URL or hf-hub id. The web only checks the request and writes the record (validating, with its source
/// and no file); the download happens in a worker, as the first step of that encoder's validation, so a hostile server
/// or file never touches the web process, and everything that recovers a validation (re-dispatch at start-up, a dead
/// worker's release, the death count) recovers an import too. The worker resumes a broken download from its part file.
/// </summary>
public sealed class CheckpointImports(
    IDbContextFactory<PortalDbContext> dbFactory, Dispatch.JobDispatcher dispatcher, EncoderEvents events, IOptions<PortalOptions> options,
    ILogger<CheckpointImports> log)
{
    private ImportOptions Settings => options.Value.Imports;

    public async Task<EncoderRecord> StartAsync(ImportRequest request, EncoderMetadata meta, CancellationToken ct)
    {
        if (!Settings.Enabled) throw new UnauthorizedAccessException("importing checkpoints by URL is disabled on this portal (Portal:Imports:Enabled)");
        meta = EncoderFields.Clean(meta);
        var source = Source(request.Source);
        var revision = Revision(source, request.Revision);
        var sha = ExpectedSha256(request.Sha256);
        var owner = meta.SubmittedBy ?? throw new UnauthorizedAccessException("sign in to import a checkpoint");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var open = await db.Encoders.CountAsync(e => e.SubmittedBy == owner && e.Status == EncoderStatus.Validating && e.SourceUrl != null, ct);
        if (open >= Settings.MaxOpenPerUser)
            throw new QuotaExceededException($"you have {open} imports downloading or validating, the most allowed (Portal:Imports:MaxOpenPerUser = {Settings.MaxOpenPerUser}): wait for one to finish");
        if (sha != null && await db.Encoders.AsNoTracking().FirstOrDefaultAsync(e => e.Sha256 == sha && e.Status != EncoderStatus.Rejected, ct) is { } known)
            throw new StateConflictException($"a checkpoint with sha256 {sha} is already registered as encoder {known.Id} ({known.DisplayName})", known.Status.ToString().ToLowerInvariant());

        var record = new EncoderRecord
        {
            DisplayName = meta.Name ?? DefaultName(source), CreatedAt = DateTime.UtcNow, Status = EncoderStatus.Validating,
            SourceUrl = source, SourceRevision = revision, ExpectedSha256 = sha, OwnsFile = true,
        };
        EncoderRegistry.Apply(record, meta, null);
        db.Encoders.Add(record);
        await db.SaveChangesAsync(ct);
        dispatcher.EnqueueValidation(record.Id);
        events.Changed(record.Id);
        log.LogInformation("encoder {Id} will be imported from {Source} by a worker", record.Id, record.Source);
        return record;
    }

    /// <summary>
    /// An http(s) URL with a host and no user name or password (they would be stored and shown), or a hub id. Nothing is
    /// resolved here: which addresses a worker may reach is decided where it connects (the engine's address guard).
    /// </summary>
    internal static string Source(string? value)
    {
        var s = EncoderFields.Line(value, "source", EncoderFields.MaxUrl) ?? throw new ArgumentException("source is required: an http(s) URL or hf-hub:org/repo[/file]");
        if (HubSource.IsHub(s))
        {
            try { HubSource.Parse(s); } catch (FetchException e) { throw new ArgumentException(e.Message); }
            return s;
        }
        if (!Uri.TryCreate(s, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(u.Host))
            throw new ArgumentException("source must be an http:// or https:// URL or hf-hub:org/repo[/file]");
        if (u.UserInfo.Length > 0) throw new ArgumentException("source must not carry a user name or password; gated hub repos use the portal's hub token");
        return s;
    }

    private static string? Revision(string source, string? value)
    {
        var rev = EncoderFields.Line(value, "revision", 200);
        if (!HubSource.IsHub(source))
            return rev == null ? null : throw new ArgumentException("revision applies to hf-hub: sources only");
        try { return HubSource.CheckRevision(rev ?? HubSource.DefaultRevision); }
        catch (FetchException e) { throw new ArgumentException(e.Message); }
    }

    internal static string? ExpectedSha256(string? value)
    {
        var s = EncoderFields.Line(value, "sha256", 100)?.ToLowerInvariant();
        if (s == null) return null;
        if (s.Length != 64 || !s.All(Uri.IsHexDigit)) throw new ArgumentException("sha256 must be 64 hexadecimal characters");
        return s;
    }

    private static string DefaultName(string source)
    {
        if (HubSource.IsHub(source)) return source[HubSource.Prefix.Length..];
        var u = new Uri(source);
        var last = Uri.UnescapeDataString(u.Segments.LastOrDefault() ?? "").Trim('/');
        return EncoderFields.Line(last.Length > 0 ? last : u.Host, "name", EncoderFields.MaxName) ?? u.Host;
    }
}
