using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Http;

namespace Portal.Web.Features.Encoders;

public sealed record RegisterServerFileRequest(string Path, string? Name = null, string? Family = null, string? Backbone = null, string? Architecture = null,
    string? Submitter = null, string? Description = null, string? PaperUrl = null, string? LicenseUrl = null,
    string? TrainingData = null)
{
    public EncoderMetadata Metadata => new() { Name = Name, Family = Family, Backbone = Backbone, Architecture = Architecture, Submitter = Submitter, Description = Description, PaperUrl = PaperUrl, LicenseUrl = LicenseUrl, TrainingData = TrainingData };
}

/// <summary>POST /api/encoders/import: a checkpoint by URL or hub id, downloaded and validated by a worker.</summary>
public sealed record ImportEncoderRequest(string? Source, string? Sha256 = null, string? Revision = null, string? Name = null, string? Family = null,
    string? Backbone = null, string? Architecture = null, string? Submitter = null, string? Description = null, string? PaperUrl = null, string? LicenseUrl = null,
    string? TrainingData = null)
{
    public ImportRequest Import => new(Source, Sha256, Revision);
    public EncoderMetadata Metadata => new() { Name = Name, Family = Family, Backbone = Backbone, Architecture = Architecture, Submitter = Submitter, Description = Description, PaperUrl = PaperUrl, LicenseUrl = LicenseUrl, TrainingData = TrainingData };
}

public sealed record BuiltinRequest(string Name, int Size = 224, string? DisplayName = null);

public sealed record CreateUploadRequest(long Size, string? FileName = null);

public static class EncodersApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api");

        // Rejected encoders only for their submitter and admins (Features/Accounts/Disclosure.cs).
        g.MapGet("/encoders", (HttpRequest request, ClaimsPrincipal user, IDbContextFactory<PortalDbContext> f) => ApiErrors.Guard(async () =>
        {
            var status = ListFilters.Read(request, "status").Enum<EncoderStatus>("status");
            await using var db = await f.CreateDbContextAsync();
            var q = db.Encoders.AsNoTracking();
            if (status != null) q = q.Where(e => e.Status == status);
            return Results.Ok((await q.OrderBy(e => e.Id).ToListAsync()).Where(user.MaySee));
        }));

        g.MapGet("/encoders/{id:int}", async (int id, ClaimsPrincipal user, IDbContextFactory<PortalDbContext> f) =>
        {
            await using var db = await f.CreateDbContextAsync();
            return await db.Encoders.FindAsync(id) is { } e && user.MaySee(e) ? Results.Ok(e) : Results.NotFound(new { error = $"no encoder {id}" });
        });

        // Streaming upload: the request body is the file (application/octet-stream); metadata in the query string.
        g.MapPost("/encoders/upload", (HttpContext ctx, EncoderRegistry registry, [AsParameters] UploadQuery q) => ApiErrors.Guard(async () =>
        {
            RequireOctetStream(ctx.Request);
            // The portal enforces its own limit while streaming (and answers with a reason), so lift Kestrel's default 30 MB cap.
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
            var outcome = await registry.UploadAsync(ctx.Request.Body, ctx.Request.ContentLength, q.Metadata with { SubmittedBy = ctx.User.UserId() }, ctx.RequestAborted);
            return Registered(outcome);
        })).DisableAntiforgery().RequireAuthorization(Policies.Researcher);

        // By URL or hub id: 202 with the record (validating, no file yet); a worker downloads, then validates as for an upload.
        g.MapPost("/encoders/import", (ImportEncoderRequest req, ClaimsPrincipal user, CheckpointImports imports, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            var e = await imports.StartAsync(req.Import, req.Metadata with { SubmittedBy = user.UserId() }, ct);
            return Results.Json(new { encoder = e, duplicate = false, status = e.Status, reason = (string?)null }, statusCode: StatusCodes.Status202Accepted);
        })).RequireAuthorization(Policies.Researcher);

        // Admins delete any encoder; a researcher their own that was rejected or never used (EncoderDeletion.cs).
        g.MapDelete("/encoders/{id:int}", (int id, ClaimsPrincipal user, EncoderDeletion deletion, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            await deletion.DeleteEncoderAsync(id, ct, user);
            return Results.NoContent();
        })).RequireAuthorization(Policies.Researcher);

        // Built-in pixel baselines at a chosen square input size (e.g. 224 for NIGHTS).
        g.MapPost("/encoders/builtin", (BuiltinRequest req, EncoderRegistry registry, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            if (!BuiltinModels.Names.Contains(req.Name)) throw new ArgumentException($"unknown built-in model '{req.Name}' (known: {string.Join(", ", BuiltinModels.Names)})");
            if (req.Size is < 11 or > 4096) throw new ArgumentException($"size must be in 11..4096 (got {req.Size})");
            var e = await registry.RegisterBuiltinAsync(req.Name, req.Size, req.DisplayName ?? $"{(req.Name == "ssim" ? "SSIM" : "Pixel L2")} @{req.Size}", $"built-in {req.Name} baseline at {req.Size}×{req.Size}", ct);
            return Results.Ok(e);
        })).RequireAuthorization(Policies.Researcher);

        g.MapPost("/encoders/register", (RegisterServerFileRequest req, ClaimsPrincipal user, EncoderRegistry registry, CancellationToken ct) => ApiErrors.Guard(async () =>
            Registered(await registry.RegisterServerFileAsync(req.Path, req.Metadata with { SubmittedBy = user.UserId() }, ct)))).RequireAuthorization(Policies.Admin); // reads a server file: an operator's decision

        // A fine-tuned variant of a registered encoder: multipart form with `mlp_head` and/or `lora_config` + `lora_model`
        // files; metadata in the query string as for uploads.
        g.MapPost("/encoders/{id:int}/variants", (int id, HttpContext ctx, EncoderVariants variants, EncoderRegistry registry, [AsParameters] UploadQuery q) => ApiErrors.Guard(async () =>
        {
            if (!ctx.Request.HasFormContentType) throw new ArgumentException("send the files as multipart/form-data: mlp_head, and/or lora_config + lora_model");
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = registry.MaxUploadBytes;
            var form = await ctx.Request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { MultipartBodyLengthLimit = registry.MaxUploadBytes }, ctx.RequestAborted);
            var unknown = form.Files.Select(f => f.Name).Except(["mlp_head", "lora_config", "lora_model"]).ToList();
            if (unknown.Count > 0) throw new ArgumentException($"unexpected file field(s) {string.Join(", ", unknown)}: use mlp_head, lora_config, lora_model");
            VariantFile? File(string name) => form.Files.GetFile(name) is { } f ? new VariantFile(f.FileName, f.OpenReadStream()) : null;
            var meta = q.Metadata with { Submitter = q.Submitter ?? ctx.User.Identity?.Name, SubmittedBy = ctx.User.UserId() };
            return Registered(await variants.CreateAsync(new VariantRequest(id, File("mlp_head"), File("lora_config"), File("lora_model"), meta), ctx.RequestAborted));
        })).DisableAntiforgery().RequireAuthorization(Policies.Researcher);

        // Resumable uploads: create, PUT chunks at offsets, GET the offset to resume, complete.
        // Sessions belong to their creator: every other account gets 404.
        g.MapPost("/uploads", (CreateUploadRequest req, ClaimsPrincipal user, ResumableUploads uploads) => ApiErrors.Guard(() =>
        {
            var s = uploads.Create(user.UserId()!, req.Size, req.FileName);
            return Task.FromResult(Results.Created($"/api/uploads/{s.Id}", s));
        })).RequireAuthorization(Policies.Researcher);
        g.MapGet("/uploads/{id}", (string id, ClaimsPrincipal user, ResumableUploads uploads) =>
            uploads.Get(id, user.UserId()!) is { } s ? Results.Ok(s) : Results.NotFound(new { error = $"no upload session {id}" })).RequireAuthorization(Policies.Researcher);
        g.MapPut("/uploads/{id}", (string id, long offset, HttpContext ctx, ResumableUploads uploads) => ApiErrors.Guard(async () =>
        {
            RequireOctetStream(ctx.Request);
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
            return Results.Ok(await uploads.AppendAsync(id, ctx.User.UserId()!, offset, ctx.Request.Body, ctx.RequestAborted));
        })).DisableAntiforgery().RequireAuthorization(Policies.Researcher);
        g.MapPost("/uploads/{id}/complete", (string id, [AsParameters] UploadQuery q, ClaimsPrincipal user, ResumableUploads uploads, CancellationToken ct) => ApiErrors.Guard(async () =>
            Registered(await uploads.CompleteAsync(id, user.UserId()!, q.Metadata with { SubmittedBy = user.UserId() }, ct)))).RequireAuthorization(Policies.Researcher);
        g.MapDelete("/uploads/{id}", (string id, ClaimsPrincipal user, ResumableUploads uploads) => ApiErrors.Guard(() =>
        {
            uploads.Abort(id, user.UserId()!);
            return Task.FromResult(Results.NoContent());
        })).RequireAuthorization(Policies.Researcher);
    }

    /// <summary>
    /// A checkpoint body is raw bytes. Refusing every other type also refuses what an HTML form on another site can send
    /// without a preflight (text/plain, urlencoded, multipart), a second line behind the CSRF check.
    /// </summary>
    private static void RequireOctetStream(HttpRequest request)
    {
        var type = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(type, "application/octet-stream", StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedContentTypeException($"send the checkpoint as the raw request body with Content-Type: application/octet-stream (got {type ?? "none"})");
    }

    /// <summary>202 while validating, 200 for an already-known file, 413/422 with the reason for uploads refused outright.</summary>
    private static IResult Registered(RegistrationOutcome o)
    {
        var body = new { encoder = o.Encoder, duplicate = o.Duplicate, status = o.Encoder.Status, reason = o.Encoder.RejectReason };
        if (o.Duplicate && o.Encoder.Status != EncoderStatus.Validating) return Results.Ok(body);
        return o.Encoder.Status switch
        {
            EncoderStatus.Rejected when o.Encoder.RejectReason?.Contains("size limit") == true => Results.Json(body, statusCode: StatusCodes.Status413PayloadTooLarge),
            EncoderStatus.Rejected => Results.Json(body, statusCode: StatusCodes.Status422UnprocessableEntity),
            _ => Results.Json(body, statusCode: StatusCodes.Status202Accepted),
        };
    }

    public sealed class UploadQuery
    {
        [FromQuery(Name = "name")] public string? Name { get; set; }
        [FromQuery(Name = "family")] public string? Family { get; set; }
        [FromQuery(Name = "backbone")] public string? Backbone { get; set; }
        [FromQuery(Name = "architecture")] public string? Architecture { get; set; }
        [FromQuery(Name = "submitter")] public string? Submitter { get; set; }
        [FromQuery(Name = "description")] public string? Description { get; set; }
        [FromQuery(Name = "paper_url")] public string? PaperUrl { get; set; }
        [FromQuery(Name = "license_url")] public string? LicenseUrl { get; set; }
        [FromQuery(Name = "file_name")] public string? FileName { get; set; }
        [FromQuery(Name = "training_data")] public string? TrainingData { get; set; }

        public EncoderMetadata Metadata => new()
        {
            Name = Name, Family = Family, Backbone = Backbone, Architecture = Architecture, Submitter = Submitter,
            Description = Description, PaperUrl = PaperUrl, LicenseUrl = LicenseUrl, FileName = FileName, TrainingData = TrainingData,
        };
    }
}
