namespace Portal.Web.Features.Encoders;

/// <summary>What the browser's upload helper (wwwroot/js) returns for a form or file POST: the HTTP status and the body.</summary>
public sealed record UploadResponse(int Status, string Body);
