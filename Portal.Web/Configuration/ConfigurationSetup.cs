using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Web.Configuration;

public static class ConfigurationSetup
{
    /// <summary>Portal options, the data folder and the database every feature reads.</summary>
    public static IServiceCollection AddPortalConfiguration(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.Configure<PortalOptions>(configuration.GetSection("Portal"));
        // The engine's switches live under "Engine" (shared with the CLI's vocabulary); Engine:AllowTorchScript wins.
        services.PostConfigure<PortalOptions>(o =>
            o.AllowTorchScript = configuration.GetValue("Engine:AllowTorchScript", o.AllowTorchScript));
        services.AddSingleton(sp => DataPaths.From(sp.GetRequiredService<IOptions<PortalOptions>>().Value,
            sp.GetRequiredService<IConfiguration>()[RootSettings.BaseDirectoryKey] ?? environment.ContentRootPath));
        services.AddDbContextFactory<PortalDbContext>((sp, o) => PortalDatabase.Configure(o, sp.GetRequiredService<IOptions<PortalOptions>>().Value, sp.GetRequiredService<DataPaths>()));
        return services;
    }
}
