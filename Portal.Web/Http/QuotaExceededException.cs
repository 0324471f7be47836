namespace Portal.Web.Http;

/// <summary>A per-account limit was reached (open upload sessions, queued jobs): 429 naming the setting.</summary>
public sealed class QuotaExceededException(string message) : Exception(message);
