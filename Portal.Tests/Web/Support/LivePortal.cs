using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Support;

namespace Portal.Tests.Web.Support;

/// <summary>
/// The real portal (Program) with its real local worker process (Portal.Cli, next to the test binaries) on a real Kestrel socket at 127.0.0.1:&lt;free port&gt;, with a temp data folder, so a real
/// browser can drive it. The demo seeding is on but tiny (24 procedural triplets, 3 APGD iterations), so the leaderboard
/// has real rows within seconds.
/// </summary>
public sealed class LivePortal : WebApplicationFactory<Portal.Web.Configuration.PortalOptions>
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly bool _retrievalDemo;

    /// <param name="retrievalDemo">Also seed the retrieval/detection demo (the adversarial-example viewer's tests need it).</param>
    public LivePortal(bool retrievalDemo = false)
    {
        _retrievalDemo = retrievalDemo;
        UseKestrel(0);
        StartServer();
        BaseUrl = ClientOptions.BaseAddress.ToString().TrimEnd('/');
    }

    public string BaseUrl { get; }
    public string DataRoot => _dir.Path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Portal:DataRoot"] = _dir.Path,
            ["Portal:Demo:Enabled"] = "true",
            ["Portal:Demo:Triplets"] = "24",
            ["Portal:Demo:ImageSize"] = "32",
            ["Portal:Demo:ApgdIterations"] = "3",
            ["Portal:Demo:InversionIterations"] = "20",
            // Only the 2AFC demo unless asked: the retrieval/detection demo would keep the single worker busy.
            ["Portal:Demo:Retrieval"] = _retrievalDemo ? "true" : "false",
            ["Portal:Worker:Threads"] = "1",
            ["Portal:Worker:BatchSize"] = "4",
            ["Portal:Worker:PollSeconds"] = "0.1",
            ["Portal:Progress:ThrottleMs"] = "50",
            ["Logging:LogLevel:Default"] = "Warning",
            // Browser tests register fixtures in place; the default (./models only) is tested by ServerFileTests.
            ["Portal:ServerFileRoots:0"] = "/",
        };
        foreach (var (k, v) in settings) builder.UseSetting(k, v);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _dir.Dispose();
    }
}
