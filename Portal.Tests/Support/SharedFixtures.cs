namespace Portal.Tests.Support;

/// <summary>
/// The read-only shared reference folder that sits next to the repository (`../shared` from the repo root), holding
/// files that may not be committed (the real CLIP vocabulary). PORTAL_SHARED_DIR overrides the location.
/// </summary>
public static class SharedFixtures
{
    public static string? Root { get; } = Find();

    /// <summary>The path of a file under the shared folder, or null when the folder or the file is absent.</summary>
    public static string? File(params string[] relative)
    {
        if (Root is null) return null;
        var p = Path.Combine([Root, .. relative]);
        return System.IO.File.Exists(p) ? p : null;
    }

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("PORTAL_SHARED_DIR");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (System.IO.File.Exists(Path.Combine(d.FullName, "Portal.sln")))
            {
                var shared = Path.Combine(d.FullName, "..", "shared");
                return Directory.Exists(shared) ? Path.GetFullPath(shared) : null;
            }
        return null;
    }
}

/// <summary>A fact that is skipped, saying why, when a shared file it needs is absent (e.g. outside the dev machines).</summary>
public sealed class SharedFileFactAttribute : FactAttribute
{
    public SharedFileFactAttribute(params string[] relative)
    {
        if (SharedFixtures.File(relative) is null)
            Skip = $"needs ../shared/{string.Join('/', relative)} next to the repository (or PORTAL_SHARED_DIR); not present here";
    }
}
