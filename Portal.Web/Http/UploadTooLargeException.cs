namespace Portal.Web.Http;

/// <summary>Thrown when an upload grows past the configured limit; the partial file is already deleted.</summary>
public sealed class UploadTooLargeException(long limit, string? message = null) : Exception(message ?? $"upload exceeds the size limit of {limit} bytes ({limit / (1 << 20)} MiB; Portal:MaxUploadBytes)")
{
    public long Limit { get; } = limit;
}
