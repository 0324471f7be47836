using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Data;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Components;
using Portal.Web.Configuration;
using Portal.Web.Features.Demo;
using Portal.Web.Dispatch;
using Portal.Web.Features.Encoders;
using Portal.Web.Errors;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Datasets;
using Portal.Web.Features.Jobs;
using Portal.Web.Progress;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Evaluations;
using Portal.Web.Http;

var builder = WebApplication.CreateBuilder(args);
RootSettings.AddTo(builder.Configuration, builder.Environment.ContentRootPath);
// Package assets (_content/MudBlazor) are served from the build output's manifest in every environment, not only Development.
builder.WebHost.UseStaticWebAssets();

var services = builder.Services;
services.Configure<PortalOptions>(builder.Configuration.GetSection("Portal"));
// The engine's switches live under "Engine" (shared with the CLI's vocabulary); Engine:AllowTorchScript wins.
services.PostConfigure<PortalOptions>(o =>
    o.AllowTorchScript = builder.Configuration.GetValue("Engine:AllowTorchScript", o.AllowTorchScript));
services.AddSingleton(sp => DataPaths.From(sp.GetRequiredService<IOptions<PortalOptions>>().Value,
    sp.GetRequiredService<IConfiguration>()[RootSettings.BaseDirectoryKey] ?? builder.Environment.ContentRootPath));
services.AddDbContextFactory<PortalDbContext>((sp, o) => PortalDatabase.Configure(o, sp.GetRequiredService<IOptions<PortalOptions>>().Value, sp.GetRequiredService<DataPaths>()));
services.AddPortalAccounts();

services.AddSingleton<EncoderEvents>();
services.AddSingleton<ServerFiles>();
services.AddSingleton<EncoderRegistry>();
services.AddSingleton<CheckpointImports>();
services.TryAddSingleton(TimeProvider.System);
services.AddSingleton<ResumableUploads>();
services.AddSingleton<Portal.Web.Features.Retrieval.IDatasetInspector, Portal.Web.Features.Retrieval.CliDatasetInspector>();
services.AddSingleton<BenchmarkRegistry>();
services.AddSingleton<JobLimits>();
services.AddSingleton<JobQueue>();
services.AddSingleton<PortalQueries>();
services.AddSingleton<Portal.Web.Features.Admin.AdminActions>();
services.AddSingleton<Portal.Web.Features.Leaderboard.LeaderboardService>();
services.AddScoped<Portal.Web.Features.Export.FileDownload>(); // CSV/JSON downloads of the boards, one JS module per circuit
services.AddSingleton<Portal.Web.Features.Encoders.EncoderPageQueries>();
services.AddSingleton<Portal.Web.Features.Retrieval.RetrievalDemo>();
services.AddSingleton<Portal.Web.Features.Retrieval.EvidenceFiles>();
services.AddSingleton<Portal.Web.Features.Retrieval.RetrievalQueries>();
services.AddSingleton<Portal.Web.Features.Retrieval.TaskOverviewService>();
services.AddSingleton<Portal.Web.Features.Demo.DemoEncoders>();
services.AddHostedService<DemoSeeder>();
services.AddSingleton<EncoderVariants>();
Portal.Web.Features.Galleries.GalleriesApi.AddGalleries(services); // gallery services, demo galleries
Portal.Web.Features.Robustify.RobustifyApi.AddRobustify(services); // FARE service (README, “Robustify an encoder”)
Portal.Web.Features.Reported.ReportedApi.AddReported(services); // reported results: shipped tables seeded at start (docs/reported-results.md)
services.AddDatasets(); // benchmark datasets fetched by name in a worker (Features/Datasets, docs/fetching.md)
services.AddPortalDispatch(); // Hangfire client + dashboard storage, local worker processes, progress relay (Dispatch/)

services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    o.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
});
services.AddHttpContextAccessor();
// Server paths and stack traces in API answers for admins only (Accounts/Disclosure.cs).
services.AddOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>().Configure<IHttpContextAccessor>((o, http) =>
    o.SerializerOptions.TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { ServerDetailsJson.Modifier(http) } });
// A background service that throws (a failed write: disk full, SQLite busy) is logged and the web keeps serving; the
// services themselves catch and retry, this is the backstop that keeps one failure from stopping the host.
services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);
services.AddProgress(builder.Configuration); // SignalR hub, Redis backplane when Portal:Progress:Redis is set (docs/deployment.md)
services.AddMudServices();
services.AddRazorComponents().AddInteractiveServerComponents();
services.AddReadCache(); // anonymous read pages and lists: output cache evicted on change, Brotli/gzip (Services/ReadCache.cs, docs/performance.md)

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
AccountEndpoints.Map(app);
TokensApi.Map(app);
EncodersApi.Map(app);
BenchmarksApi.Map(app);
JobsApi.Map(app);
ResultsApi.Map(app);
AdminApi.Map(app);
Portal.Web.Features.Leaderboard.LeaderboardApi.Map(app);
Portal.Web.Features.Retrieval.ResultArtifactsApi.Map(app);
Portal.Web.Features.Galleries.GalleriesApi.Map(app);
Portal.Web.Features.Robustify.RobustifyApi.Map(app);
Portal.Web.Features.Reported.ReportedApi.MapReported(app);
app.MapGet("/api/health", () => databaseProblem is { } problem
    ? Results.Json(new { status = "damaged", database = Disclosure.ScrubPaths(problem), engine_version = Portal.Engine.EngineInfo.Version }, statusCode: StatusCodes.Status503ServiceUnavailable)
    : Results.Ok(new { status = "ok", engine_version = Portal.Engine.EngineInfo.Version }));
app.MapAudit(); // attack audits for a board's top rows (Features/Audit)
app.MapDatasets();
app.MapPortalDispatch(); // Hangfire dashboard (admins only), the workers API, files for workers without the storage root
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
