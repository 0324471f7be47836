using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Data;
using Portal.Web.Components;
using Portal.Web.Configuration;
using Portal.Web.Dispatch;
using Portal.Web.Errors;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Features.Datasets;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Evaluations;
using Portal.Web.Features.Export;
using Portal.Web.Features.Galleries;
using Portal.Web.Features.Jobs;
using Portal.Web.Features.Leaderboard;
using Portal.Web.Features.Reported;
using Portal.Web.Features.Retrieval;
using Portal.Web.Features.Robustify;
using Portal.Web.Features.Submit;
using Portal.Web.Features.Workers;
using Portal.Web.Http;
using Portal.Web.Progress;

var builder = WebApplication.CreateBuilder(args);
RootSettings.AddTo(builder.Configuration, builder.Environment.ContentRootPath);
// Package assets (_content/MudBlazor) are served from the build output's manifest in every environment, not only Development.
builder.WebHost.UseStaticWebAssets();

var services = builder.Services;
services.AddPortalConfiguration(builder.Configuration, builder.Environment); // options, data folder, database (Configuration/)

// One Add per feature (Features/<Name>/<Name>Feature.cs). Hosted services start in this order: the demo seeder,
// then the reported-results seeder, then dispatch's, progress's and the read cache's.
services.AddAccounts()
        .AddEncoders()
        .AddBenchmarks()
        .AddJobs()
        .AddEvaluations()
        .AddAdmin()
        .AddLeaderboard()
        .AddExport()
        .AddRetrieval()
        .AddDemo()
        .AddGalleries()
        .AddRobustify()
        .AddReported()
        .AddDatasets()
        .AddAudit()
        .AddSubmit()
        .AddWorkers();
services.AddPortalDispatch(); // Hangfire client + dashboard storage, local worker processes, progress relay (Dispatch/)

services.AddPortalJson(); // snake_case API answers; server paths and stack traces for admins only (Http/JsonSetup.cs)
// A background service that throws (a failed write: disk full, SQLite busy) is logged and the web keeps serving; the
// services themselves catch and retry, this is the backstop that keeps one failure from stopping the host.
services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);
services.AddProgress(builder.Configuration); // SignalR hub, Redis backplane when Portal:Progress:Redis is set (docs/deployment.md)
services.AddMudServices();
services.AddRazorComponents().AddInteractiveServerComponents();
services.AddReadCache(); // anonymous read pages and lists: output cache evicted on change, Brotli/gzip (Http/ReadCache.cs, docs/measurements.md)

var app = builder.Build();

string? databaseProblem;
// Real migrations (never EnsureCreated), then WAL; leftover temp files of interrupted single-shot uploads are removed.
using (var scope = app.Services.CreateScope())
{
    var paths = scope.ServiceProvider.GetRequiredService<DataPaths>();
    using var db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
    databaseProblem = PortalDatabase.Check(scope.ServiceProvider.GetRequiredService<IOptions<PortalOptions>>().Value, paths, app.Logger);
    PortalDatabase.Migrate(db, scope.ServiceProvider.GetRequiredService<IOptions<PortalOptions>>().Value);
    await AccountsSetup.SeedConfiguredAdminAsync(app.Services, app.Configuration, app.Logger);
    foreach (var tmp in Directory.EnumerateFiles(paths.Uploads, "upload-*.tmp")) StreamingReceiver.TryDelete(tmp);
    scope.ServiceProvider.GetRequiredService<ResumableUploads>().ExpireIdle();
    app.Logger.LogInformation("data folder: {Root}", paths.Root);
}

app.UsePortalErrorPages();
app.UseStaticFiles();
app.UseCrossSiteRequestGuard(); // CSRF: cookie-authenticated API writes need the portal header and this origin
app.UseAuthentication();
app.UseAuthorization();
// After authentication (the cache never answers or stores for a signed-in user), outside compression (what is stored
// is the compressed body, varied by Accept-Encoding, so a cached hit costs no Brotli pass).
app.UseRateLimiter(); // anonymous reads wait their turn before the cache answers them (Portal:Reads:AnonymousPerSecond)
app.UseOutputCache();
app.UseResponseCompression();
app.UseAntiforgery();
// One Map per feature (Features/<Name>/<Name>Feature.cs); endpoint routing does not depend on this order.
app.MapAccounts().MapEncoders().MapBenchmarks().MapJobs().MapEvaluations().MapAdmin().MapLeaderboard().MapRetrieval()
   .MapGalleries().MapRobustify().MapReported().MapAudit().MapDatasets().MapExport().MapDemo().MapSubmit();
app.MapGet("/api/health", () => databaseProblem is { } problem
    ? Results.Json(new { status = "damaged", database = Disclosure.ScrubPaths(problem), engine_version = Portal.Engine.EngineInfo.Version }, statusCode: StatusCodes.Status503ServiceUnavailable)
    : Results.Ok(new { status = "ok", engine_version = Portal.Engine.EngineInfo.Version }));
app.MapPortalDispatch(); // Hangfire dashboard (admins only), files for workers without the storage root
app.MapWorkers(); // the workers API (admins)
app.MapProgress();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequirePagePolicies();

// Readers must not slow the local workers' jobs: the web's threads below the workers' priority, when this is the
// portal's own process (a test host's threads are left alone) and it runs local workers.
if (System.Reflection.Assembly.GetEntryAssembly() == typeof(Program).Assembly
    && app.Services.GetRequiredService<IOptions<PortalOptions>>().Value is { Workers.Local: > 0, Workers.WebNice: > 0 } started)
    WebPriority.Lower(started.Workers.WebNice, app.Logger);

app.Run();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
