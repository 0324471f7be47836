namespace Portal.Engine.Fetch;

/// <summary>A fetch refused or failed for a reason the user can act on (size, checksum, SSRF, redirects, layout).</summary>
public sealed class FetchException(string message, Exception? inner = null) : Exception(message, inner);
