using Microsoft.Extensions.Configuration;
using Portal.Web.Configuration;

namespace Portal.Cli;

/// <summary>The portal's settings as the web would read them: the root appsettings.json, then Portal__… environment variables.</summary>
public static class PortalSettings
{
    public static (PortalOptions Options, DataPaths Paths, IConfiguration Config) Load()
    {
        var builder = new ConfigurationBuilder();
        RootSettings.AddTo(builder, AppContext.BaseDirectory);
        builder.AddEnvironmentVariables();
        var config = builder.Build();
        var options = new PortalOptions();
        config.GetSection("Portal").Bind(options);
        return (options, DataPaths.From(options, config[RootSettings.BaseDirectoryKey] ?? AppContext.BaseDirectory), config);
    }
}
