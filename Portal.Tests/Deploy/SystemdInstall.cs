using System.Diagnostics;
using Portal.Tests.Support;

namespace Portal.Tests.Deploy;

/// <summary>
/// An operator's install for a test, as docs/deployment.md describes it: /etc/portal/portal.env holds the shared
/// settings (<c>Portal:X:Y</c> written as <c>Portal__X__Y</c>), /etc/portal/worker-&lt;i&gt;.env each worker's device and
/// queues, and the shipped deploy/systemd units start the processes, with /opt/portal/{cli,web} mapped to this build.
/// </summary>
public sealed class SystemdInstall
{
    private static readonly string Build = AppContext.BaseDirectory.TrimEnd('/');
    private readonly string _etcDir;
    /// <summary>Each /etc/portal/… path a unit names → the file written for it here.</summary>
    private readonly Dictionary<string, string> _files = [];

    public SystemdInstall(string etcDir, IReadOnlyDictionary<string, string?> settings)
    {
        _etcDir = etcDir;
        var portalEnv = Path.Combine(etcDir, "portal.env");
        File.WriteAllLines(portalEnv, [
            "# shared by the web and every worker",
            .. settings.Where(s => s.Value != null).Select(s => $"{s.Key.Replace(":", "__")}={s.Value}"),
        ]);
        _files["/etc/portal/portal.env"] = portalEnv;
    }

    /// <summary>portal-worker@<paramref name="instance"/>.service: a supervised worker named <c>instance@host</c>.</summary>
    public PortalProcess Worker(string instance, string device = "cpu", string queues = "default")
    {
        var workerEnv = Path.Combine(_etcDir, $"worker-{instance}.env");
        File.WriteAllLines(workerEnv, [$"PORTAL_DEVICE={device}", $"PORTAL_QUEUES={queues}"]);
        _files[$"/etc/portal/worker-{instance}.env"] = workerEnv;
        var unit = new SystemdUnit(SystemdUnit.Repo("deploy", "systemd", "portal-worker@.service"));
        return new PortalProcess($"{instance}@{Environment.MachineName}", unit.Start(instance, _files, new Dictionary<string, string> { ["/opt/portal/cli"] = Build }));
    }

    /// <summary>portal-web.service, listening on 127.0.0.1:<paramref name="port"/> instead of the unit's :5000 (the only change).</summary>
    public PortalProcess Web(int port)
    {
        var unit = new SystemdUnit(SystemdUnit.Repo("deploy", "systemd", "portal-web.service"));
        return new PortalProcess("web", unit.Start("", _files, new Dictionary<string, string>
        {
            ["/opt/portal/web"] = Build,
            ["http://0.0.0.0:5000"] = $"http://127.0.0.1:{port}",
        }));
    }

    /// <summary>The web unit's own Environment= lines (what it sets whatever portal.env says).</summary>
    public static IEnumerable<string> WebEnvironment() =>
        new SystemdUnit(SystemdUnit.Repo("deploy", "systemd", "portal-web.service")).Values("Environment");
}
