namespace Portal.Engine.Fetch;

/// <summary>
/// A checkpoint source: an http(s) URL, or "hf-hub:org/repo[/file]" resolved the way open_clip resolves its hub
/// models (download_pretrained_from_hf: open_clip_model.safetensors first, open_clip_pytorch_model.bin as the
/// fallback) through the Hub's resolve URL, {base}/{repo}/resolve/{revision}/{file}.
/// </summary>
public sealed record HubSource(string Repo, string? File)
{
    public const string Prefix = "hf-hub:";
    public const string DefaultBaseUrl = "https://huggingface.co";
    public const string DefaultRevision = "main";

    /// <summary>open_clip's HF_SAFE_WEIGHTS_NAME then HF_WEIGHTS_NAME (open_clip/constants.py).</summary>
    public static readonly string[] OpenClipWeightFiles = ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"];

    public static bool IsHub(string source) => source.StartsWith(Prefix, StringComparison.Ordinal);

    public static HubSource Parse(string source)
    {
        if (!IsHub(source)) throw new FetchException($"not a hub id: {source}");
        var parts = source[Prefix.Length..].Split('/');
        if (parts.Length < 2 || parts.Any(p => p.Length == 0 || p is "." or ".." || p.Contains('\\') || p.Contains('?') || p.Contains('#') || p.Contains('%')))
            throw new FetchException($"a hub id is hf-hub:org/repo or hf-hub:org/repo/path/to/file, got '{source}'");
        return new HubSource(parts[0] + "/" + parts[1], parts.Length > 2 ? string.Join('/', parts[2..]) : null);
    }

    /// <summary>A branch, tag or commit as the Hub names them (its own value, or a <see cref="FetchException"/>).</summary>
    public static string CheckRevision(string rev)
    {
        if (rev.Length is 0 or > 200 || rev.Contains("..") || rev.Any(c => c is '?' or '#' or '%' or '\\' or ' ' || char.IsControl(c)))
            throw new FetchException($"bad revision '{rev}' (a branch, tag or commit id)");
        return rev;
    }

    /// <summary>The files to try, in order.</summary>
    public IReadOnlyList<string> Candidates => File != null ? [File] : OpenClipWeightFiles;

    public Uri ResolveUrl(string file, string? revision = null, string? baseUrl = null)
    {
        var rev = CheckRevision(revision ?? DefaultRevision);
        var b = (baseUrl ?? DefaultBaseUrl).TrimEnd('/');
        return new Uri($"{b}/{Repo}/resolve/{Uri.EscapeDataString(rev)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");
    }
}
