namespace Portal.Engine.Fetch;

/// <summary>Limits and policy of one fetch. The defaults are the CLI's.</summary>
public sealed record FetchOptions
{
    public const long DefaultMaxBytes = 8L << 30;

    /// <summary>Refuse as soon as Content-Length or the running count passes this.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>Hosts (name or literal IP, case-insensitive) exempt from the private-address guard.</summary>
    public IReadOnlyCollection<string> AllowedHosts { get; init; } = [];

    public int MaxRedirects { get; init; } = 5;

    /// <summary>Tries per download; each try after a dropped connection resumes from the .part file.</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Until the response headers arrive.</summary>
    public TimeSpan HeadersTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest silence while reading the body; a stalled server fails the try (and the next one resumes).</summary>
    public TimeSpan ReadIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Sent as "Authorization: Bearer" to the first host only (a redirect elsewhere, e.g. a CDN, does not get it).</summary>
    public string? BearerToken { get; init; }

    /// <summary>Told about progress (bytes so far, total if known); null = silent.</summary>
    public Action<long, long?>? Progress { get; init; }

    public bool IsAllowed(string host) => AllowedHosts.Any(h => string.Equals(h.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));
}
