using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Deploy;

/// <summary>
/// The shipped systemd units, run as systemd would run them (ExecStart, environment files, Environment= lines and working
/// folder; /opt/portal/... mapped to this build) against PostgreSQL: the worker named by its unit (%i@%H) takes a job
/// and finishes it, and the web unit serves the portal and the API that queued it. So the deployment page's units are
/// the commands that are tested.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly TestDatabase _db = new();

    public void Dispose()
    {
        _db.Dispose();
        _dir.Dispose();
    }

    private Dictionary<string, string?> HostSettings() => new()
    {
        ["Portal:Database:Provider"] = "postgres", ["Portal:Database:ConnectionString"] = _db.ConnectionString,
        ["Portal:Workers:Local"] = "0", ["Portal:Worker:Enabled"] = "false",
    };

    /// <summary>portal.env as an operator writes it (docs/deployment.md).</summary>
    private SystemdInstall Install() => new(_dir.Path, new Dictionary<string, string?>
    {
        ["Portal:Database:Provider"] = "postgres", ["Portal:Database:ConnectionString"] = _db.ConnectionString,
        ["Portal:DataRoot"] = _dir.Path, ["Portal:Worker:Threads"] = "1", ["Portal:Worker:PollSeconds"] = "0.2",
    });

    [PostgresFact]
    public async Task The_worker_unit_as_systemd_runs_it_takes_and_finishes_a_job()
    {
        using var host = new PortalHost(_dir.Path, HostSettings());
        using var admin = await host.ApiAs(Roles.Admin);
        var data = PortalTestData.Nights(_dir, count: 8, size: 32);
        var bench = (await host.PostJson(admin, "/api/benchmarks", new { name = "nights 8", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var enc = (await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();
        using var worker = Install().Worker("cpu1");

        var job = (await host.PostJson(admin, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "linf-4" }, iterations = 5 }, 201))[0]
            .GetProperty("job").GetProperty("id").GetInt32();
        var end = await host.WaitForJobEnd(admin, job, TimeSpan.FromMinutes(3));
        Assert.True(end.GetProperty("status").GetString() == "succeeded", end + "\n" + worker.Log);
        Assert.Equal(worker.Name, end.GetProperty("worker_id").GetString());
    }

    [PostgresFact]
    public async Task The_web_unit_as_systemd_runs_it_serves_the_portal_and_queues_work_for_the_worker_unit()
    {
        // An in-process node on the same database only provisions the operator's admin token (what `portal user add`
        // and the accounts page do on a real install); every request below goes to the web started from the unit.
        using var provisioner = new PortalHost(_dir.Path, HostSettings());
        var admin = await TestAccounts.CreateAsync(provisioner, Roles.Admin);
        var data = PortalTestData.Nights(_dir, count: 8, size: 32);

        var install = Install();
        var port = FreePort.Next();
        Assert.Contains("Portal__Workers__Local=0", SystemdInstall.WebEnvironment()); // the web of a scaled portal runs no engine
        using var web = install.Web(port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin.Token);
        await WaitUntilServing(http, web);

        var home = await http.GetAsync("/");
        Assert.True(home.StatusCode == HttpStatusCode.OK, $"{home.StatusCode}\n{web.Log}");
        Assert.Contains("Perceptual Portal", await home.Content.ReadAsStringAsync());

        async Task<JsonElement> Post(string path, object body)
        {
            var r = await http.PostAsync(path, JsonContent.Create(body, options: PortalHost.Json));
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, $"{path}: {(int)r.StatusCode} {text}\n{web.Log}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        var bench = (await Post("/api/benchmarks", new { name = "nights 8", dataset_root = data, format = "nights", split = "test" })).GetProperty("id").GetInt32();
        var enc = (await Post("/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();
        var job = (await Post("/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "linf-4" }, iterations = 5 }))[0]
            .GetProperty("job").GetProperty("id").GetInt32();

        using var worker = install.Worker("cpu1");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        JsonElement end;
        while (true)
        {
            end = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{job}")).RootElement.Clone();
            var status = end.GetProperty("status").GetString();
            if (status is "succeeded" or "failed" or "cancelled" || DateTime.UtcNow > deadline) break;
            Assert.False(web.Exited, "the web unit's process exited:\n" + web.Log);
            await Task.Delay(300);
        }
        Assert.True(end.GetProperty("status").GetString() == "succeeded", $"{end}\nweb:\n{web.Log}\nworker:\n{worker.Log}");
        Assert.Equal(worker.Name, end.GetProperty("worker_id").GetString());
        var result = JsonDocument.Parse(await http.GetStringAsync($"/api/results/{end.GetProperty("result_id").GetInt32()}")).RootElement;
        Assert.Equal(8, result.GetProperty("summary").GetProperty("n").GetInt32());
    }

    private static async Task WaitUntilServing(HttpClient http, PortalProcess web)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            Assert.False(web.Exited, "the web unit's process exited:\n" + web.Log);
            try
            {
                if ((await http.GetAsync("/api/benchmarks")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            Assert.True(DateTime.UtcNow < deadline, "the web unit did not answer within 90 s:\n" + web.Log);
            await Task.Delay(300);
        }
    }
}
