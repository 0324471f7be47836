using System.Net;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Dispatch;

/// <summary>Hangfire's dashboard and the workers list are for admins only.</summary>
public sealed class DispatchAccessTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Dashboard_and_workers_list_answer_admins_only()
    {
        using var host = new PortalHost(_dir.Path);
        using var anonymous = host.Api();
        using var researcher = await host.ApiAs(Roles.Researcher);
        using var admin = await host.ApiAs(Roles.Admin);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/workers")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.GetAsync("/api/workers")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await researcher.GetAsync("/hangfire")).StatusCode);

        // The in-process test worker has reported itself by now.
        var workers = await host.WaitFor(admin, "/api/workers", w => w.GetArrayLength() > 0, TimeSpan.FromSeconds(20));
        Assert.StartsWith("test-worker-", workers[0].GetProperty("name").GetString());
        Assert.Equal("cpu", workers[0].GetProperty("device").GetString());
        var dash = await admin.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, dash.StatusCode);
        Assert.Contains("Perceptual Portal", await dash.Content.ReadAsStringAsync());
    }
}
