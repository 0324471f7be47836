using System.Diagnostics;
using System.Text;
using Portal.Data.Accounts;
using Portal.Tests.Accounts;
using Portal.Tests.PortalWeb;
using Portal.Tests.Support;

namespace Portal.Tests.Workers;

/// <summary>
/// The shipped systemd unit of a worker, run as systemd would run it (its ExecStart, environment files and working
/// folder; /opt/portal/cli mapped to this build), against a web on PostgreSQL: the worker named by the unit (%i@%H)
/// takes a job and finishes it. So the deployment page's unit is the command that is tested.
/// </summary>
public sealed class SystemdWorkerTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly TestDatabase _db = new();

    public void Dispose()
    {
        _db.Dispose();
        _dir.Dispose();
    }

    [PostgresFact]
    public async Task The_worker_unit_as_systemd_runs_it_takes_and_finishes_a_job()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Portal:Database:Provider"] = "postgres", ["Portal:Database:ConnectionString"] = _db.ConnectionString,
            ["Portal:Workers:Local"] = "0", ["Portal:Worker:Enabled"] = "false",
        };
        using var host = new PortalHost(_dir.Path, settings);
        using var admin = await host.ApiAs(Roles.Admin);
        var data = PortalTestData.Nights(_dir, count: 8, size: 32);
        var bench = (await host.PostJson(admin, "/api/benchmarks", new { name = "nights 8", dataset_root = data, format = "nights", split = "test" }, 201)).GetProperty("id").GetInt32();
        var enc = (await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 })).GetProperty("id").GetInt32();

        // /etc/portal/portal.env and worker-cpu1.env as an operator writes them (docs/deployment.md).
        var portalEnv = Path.Combine(_dir.Path, "portal.env");
        File.WriteAllLines(portalEnv, [
            "# shared by the web and every worker",
            "Portal__Database__Provider=postgres", $"Portal__Database__ConnectionString={_db.ConnectionString}",
            $"Portal__DataRoot={_dir.Path}", "Portal__Worker__Threads=1", "Portal__Worker__PollSeconds=0.2",
        ]);
        var workerEnv = Path.Combine(_dir.Path, "worker-cpu1.env");
        File.WriteAllLines(workerEnv, ["PORTAL_DEVICE=cpu", "PORTAL_QUEUES=default"]);
        var unit = new SystemdUnit(SystemdUnit.Repo("deploy", "systemd", "portal-worker@.service"));
        var psi = unit.Start("cpu1",
            new Dictionary<string, string> { ["/etc/portal/portal.env"] = portalEnv, ["/etc/portal/worker-cpu1.env"] = workerEnv },
            new Dictionary<string, string> { ["/opt/portal/cli"] = AppContext.BaseDirectory.TrimEnd('/') });
        var log = new StringBuilder();
        using var worker = new Process { StartInfo = psi };
        worker.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        worker.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        worker.Start();
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            var job = (await host.PostJson(admin, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "linf-4" }, iterations = 5 }, 201))[0]
                .GetProperty("job").GetProperty("id").GetInt32();
            var end = await host.WaitForJobEnd(admin, job, TimeSpan.FromMinutes(3));
            string Log() { lock (log) return log.ToString(); }
            Assert.True(end.GetProperty("status").GetString() == "succeeded", end + "\n" + Log());
            Assert.StartsWith($"cpu1@{Environment.MachineName}", end.GetProperty("worker_id").GetString());
        }
        finally
        {
            worker.Kill(entireProcessTree: true); // systemd's stop, without the grace period
            worker.WaitForExit(10_000);
        }
    }
}
