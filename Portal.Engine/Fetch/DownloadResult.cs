namespace Portal.Engine.Fetch;

/// <summary>What a finished download is: where, how big, its sha256, and where it came from.</summary>
public sealed record DownloadResult(string Path, long Bytes, string Sha256, string SourceUrl, string ResolvedUrl, bool AlreadyPresent, int Attempts, long ResumedFrom);
