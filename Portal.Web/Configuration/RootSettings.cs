namespace Portal.Web.Configuration;

/// <summary>
/// The portal's settings live in the repository root's appsettings.json (next to Portal.sln), so that
/// `dotnet run --project Portal.Web` from the root and a run from inside Portal.Web read the same file.
/// </summary>
public static class RootSettings
{
    public const string BaseDirectoryKey = "Portal:BaseDirectory";

    /// <summary>Nearest folder, walking up from the working directory then from the binaries, that holds appsettings.json and Portal.sln.</summary>
    public static string? FindRoot() => Portal.Data.DataFolder.FindSettingsRoot();

    /// <summary>Adds the root appsettings.json below every other source, so environment variables, command line and tests still override it.</summary>
    public static void AddTo(IConfigurationBuilder config, string contentRoot)
    {
        var root = FindRoot();
        var sources = new List<IConfigurationSource>();
        if (root != null)
        {
            var json = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
            {
                Path = Path.Combine(root, "appsettings.json"), Optional = true, ReloadOnChange = false,
            };
            json.ResolveFileProvider();
            sources.Add(json);
        }
        sources.Add(new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new(BaseDirectoryKey, root ?? contentRoot)],
        });
        for (int i = sources.Count - 1; i >= 0; i--) config.Sources.Insert(0, sources[i]);
    }
}
