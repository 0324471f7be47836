using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;

namespace Portal.Web.Dispatch;

/// <summary>
/// Hangfire's storage, chosen with the portal's database: an SQLite file next to portal.db in the embedded default
/// (the web and its local workers share it), the shared PostgreSQL database (schema "hangfire") when scaled.
/// </summary>
public static class HangfireStorage
{
    public const string SqliteFileName = "hangfire.db";

    /// <summary>
    /// Hangfire for one host (web or worker): its storage and client are singletons of this service provider, never
    /// Hangfire's static JobStorage.Current (nor AddHangfire, which binds Hangfire's static logger to one host's logger
    /// factory), so several hosts in one process (the tests) each talk to their own database.
    /// </summary>
    public static IServiceCollection AddPortalHangfire(this IServiceCollection services)
    {
        ConfigureSerialization();
        services.AddSingleton<JobStorage>(sp => Create(sp.GetRequiredService<IOptions<PortalOptions>>().Value, sp.GetRequiredService<DataPaths>()));
        services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()));
        return services;
    }

    /// <summary>Job arguments are serialised the same way by every web and worker (Hangfire keeps this setting process-wide).</summary>
    public static void ConfigureSerialization() => GlobalConfiguration.Configuration
        .SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings()
        // Process-wide and never disposed: Hangfire's own warnings go to the console.
        .UseLogProvider(new Hangfire.Logging.LogProviders.ColouredConsoleLogProvider(Hangfire.Logging.LogLevel.Warn));

    public static JobStorage Create(PortalOptions options, DataPaths paths)
    {
        var poll = TimeSpan.FromSeconds(Math.Max(0.05, options.Worker.PollSeconds));
        if (IsPostgres(options))
        {
            var cs = options.Database.ConnectionString
                ?? throw new InvalidOperationException("Portal:Database:Provider is postgres but Portal:Database:ConnectionString is empty");
            return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(cs, new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions
            {
                QueuePollInterval = poll,
                // A fetched job stays invisible to other workers while its worker lives; the portal's lease takes it over sooner.
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = TimeSpan.FromMinutes(5),
                PrepareSchemaIfNecessary = true,
            });
        }
        return new SQLiteStorage(Path.Combine(paths.Root, SqliteFileName), new SQLiteStorageOptions { QueuePollInterval = poll });
    }

    public static bool IsPostgres(PortalOptions options) =>
        string.Equals(options.Database.Provider, DatabaseOptions.Postgres, StringComparison.OrdinalIgnoreCase);
}
