using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Portal.Worker;
using Portal.Worker.Execution;

namespace Portal.Tests.Web.Support;

/// <summary>
/// The real portal (Program) in-process with a real SQLite file in <see cref="DataRoot"/>, and one evaluation worker
/// (<see cref="WorkerHost"/>, the same code `portal worker --in-process` runs) hosted in the test process so tests reach
/// its services and hooks; the web starts no worker processes of its own here. Several hosts may share a data folder
/// one after another (crash/resume tests). Demo seeding is off unless asked for; libtorch uses one thread.
/// </summary>
public sealed class PortalHost : WebApplicationFactory<Portal.Web.Configuration.PortalOptions>
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Dictionary<string, string?> _settings;
    private readonly IEvaluationHooks? _hooks;

    private readonly bool _processWorkers;

    /// <param name="processWorkers">Instead of the in-process worker, the web starts and supervises real `Portal.Cli worker` processes (Portal:Workers:Local, default 1).</param>
    /// <param name="kestrel">Serve on a real 127.0.0.1 socket (<see cref="BaseUrl"/>) so other processes can call the web.</param>
    public PortalHost(string dataRoot, IDictionary<string, string?>? settings = null, IEvaluationHooks? hooks = null, bool processWorkers = false, bool kestrel = false)
    {
        _processWorkers = processWorkers;
        if (kestrel) UseKestrel(0);
        DataRoot = dataRoot;
        _hooks = hooks;
        _settings = new()
        {
            ["Portal:DataRoot"] = dataRoot,
            ["Portal:Demo:Enabled"] = "false",
            ["Portal:Worker:Threads"] = "1",
            ["Portal:Worker:BatchSize"] = "4",
            ["Portal:Worker:PollSeconds"] = "0.1",
            ["Portal:Workers:Local"] = "0",
            ["Portal:Dispatch:LeaseSeconds"] = "5",
            ["Portal:Progress:ThrottleMs"] = "20",
            ["Logging:LogLevel:Default"] = "Warning",
            // Tests register fixtures from temp folders; the default (./models only) is tested by ServerFileTests.
            ["Portal:ServerFileRoots:0"] = "/",
        };
        if (processWorkers) _settings["Portal:Workers:Local"] = "1";
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) _settings[k] = v;
    }

    public string DataRoot { get; }

    /// <summary>The real address when started with kestrel: true.</summary>
    public string BaseUrl { get { StartServer(); return ClientOptions.BaseAddress.ToString().TrimEnd('/'); } }

    /// <summary>The in-process worker (null with Portal:Worker:Enabled=false).</summary>
    public IHost? Worker { get; private set; }

    public IServiceProvider WorkerServices => (Worker ?? throw new InvalidOperationException("this portal host runs no worker")).Services;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var web = base.CreateHost(builder);
        if (!_processWorkers && _settings.GetValueOrDefault("Portal:Worker:Enabled") != "false")
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(_settings).Build();
            Worker = WorkerHost.Build(new WorkerSettings($"test-worker-{Guid.NewGuid():N}", "cpu", ["default"], 1, null), config,
                s => { if (_hooks != null) { s.RemoveAll<IEvaluationHooks>(); s.AddSingleton(_hooks); } });
            Worker.Start();
        }
        return web;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Worker != null)
        {
            try { Worker.StopAsync(TimeSpan.FromSeconds(15)).GetAwaiter().GetResult(); } catch (OperationCanceledException) { }
            Worker.Dispose();
            Worker = null;
        }
        base.Dispose(disposing);
    }

    public HttpClient Api() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientOptions.BaseAddress });

    public HubConnection Hub() => new HubConnectionBuilder()
        .WithUrl(new Uri(Server.BaseAddress, "/hubs/progress"), o =>
        {
            o.HttpMessageHandlerFactory = _ => Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
        })
        .Build();

    public static async Task<JsonElement> ReadJson(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        try { return JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException) { throw new Xunit.Sdk.XunitException($"HTTP {(int)r.StatusCode}: not JSON: {text}"); }
    }

    public async Task<JsonElement> GetJson(HttpClient c, string url)
    {
        var r = await c.GetAsync(url);
        var body = await ReadJson(r);
        Assert.True(r.IsSuccessStatusCode, $"GET {url}: {(int)r.StatusCode} {body}");
        return body;
    }

    public async Task<JsonElement> PostJson(HttpClient c, string url, object payload, int? expectStatus = null)
    {
        var r = await c.PostAsync(url, JsonContent.Create(payload, options: Json));
        var body = await ReadJson(r);
        if (expectStatus != null) Assert.True((int)r.StatusCode == expectStatus, $"POST {url}: expected {expectStatus}, got {(int)r.StatusCode} {body}");
        else Assert.True(r.IsSuccessStatusCode, $"POST {url}: {(int)r.StatusCode} {body}");
        return body;
    }

    /// <summary>Polls GET url until the predicate holds (the portal's work is asynchronous), failing with the last body.</summary>
    public async Task<JsonElement> WaitFor(HttpClient c, string url, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        JsonElement last;
        do
        {
            last = await GetJson(c, url);
            if (done(last)) return last;
            await Task.Delay(50);
        } while (DateTime.UtcNow < until);
        throw new Xunit.Sdk.XunitException($"timed out waiting on {url}; last: {last}");
    }

    public Task<JsonElement> WaitForJobEnd(HttpClient c, int jobId, TimeSpan? timeout = null) =>
        WaitFor(c, $"/api/jobs/{jobId}", j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", timeout);
}
