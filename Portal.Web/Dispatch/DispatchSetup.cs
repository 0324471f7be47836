using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;
using Portal.Web.Features.Accounts;
using Portal.Web.Configuration;

namespace Portal.Web.Dispatch;

/// <summary>
/// The web's half of dispatch: a Hangfire client on the shared storage (no Hangfire server: the web runs no engine
/// work), the local worker processes of the embedded default, the progress relay, the admin-only Hangfire dashboard
/// and the workers list.
/// </summary>
public static class DispatchSetup
{
    public const string DashboardPath = "/hangfire";

    public static IServiceCollection AddPortalDispatch(this IServiceCollection services)
    {
        services.AddPortalHangfire();
        // What the dashboard middleware resolves (AddHangfire would register these, and bind Hangfire to one host).
        services.AddSingleton<IGlobalConfiguration>(_ => GlobalConfiguration.Configuration);
        services.AddSingleton(_ => DashboardRoutes.Routes);
        services.AddSingleton<JobDispatcher>();
        services.AddSingleton<WorkerLoss>();
        services.AddSingleton<LocalWorkers>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalWorkers>());
        services.AddHostedService<ProgressRelay>();
        services.AddHostedService<PendingWorkRedispatch>();
        return services;
    }

    public static void MapPortalDispatch(this WebApplication app)
    {
        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [new AdminDashboardFilter()],
            DashboardTitle = "Perceptual Portal — job dispatch",
            DisplayStorageConnectionString = false,
            AppPath = "/workers",
        }, app.Services.GetRequiredService<JobStorage>());
        app.MapWorkerFiles();
    }

    /// <summary>The dashboard is for admins signed in with the portal's cookie.</summary>
    private sealed class AdminDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) =>
            context.GetHttpContext().User is { Identity.IsAuthenticated: true } u && u.IsInRole(Portal.Data.Accounts.Roles.Admin);
    }
}
