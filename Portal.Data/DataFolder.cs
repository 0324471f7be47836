namespace Portal.Data;

/// <summary>
/// Where the portal's data folder is, shared by the web app and the CLI so `portal user add` writes the same database
/// the web reads: the root appsettings.json sits next to Portal.sln, and a relative Portal:DataRoot resolves against it.
/// </summary>
public static class DataFolder
{
    public const string DataRootKey = "Portal:DataRoot";
    public const string DefaultDataRoot = "./data";
    public const string DatabaseFileName = "portal.db";

    /// <summary>Nearest folder, walking up from the working directory then from the binaries, that holds appsettings.json and Portal.sln.</summary>
    public static string? FindSettingsRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "appsettings.json")) && File.Exists(Path.Combine(d.FullName, "Portal.sln")))
                    return d.FullName;
        }
        return null;
    }

    /// <summary>DataRoot as an absolute path: absolute as given, relative against <paramref name="baseDirectory"/>.</summary>
    public static string Resolve(string dataRoot, string baseDirectory) =>
        Path.GetFullPath(Path.IsPathRooted(dataRoot) ? dataRoot : Path.Combine(baseDirectory, dataRoot));
}
