using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Reported;

/// <summary>The web seeds the shipped tables at start; anyone reads them; only admins link an encoder to a reported model.</summary>
public sealed class ReportedApiTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly PortalHost _host;

    public ReportedApiTests() => _host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });

    private static readonly object RClip = new { method = "R-CLIP_F", encoder = "ConvNeXt-B", training = "zero-shot" };

    [Fact]
    public async Task Anyone_reads_the_reported_results_with_strict_filters()
    {
        var anon = _host.Api();
        var tableI = await _host.GetJson(anon, "/api/reported?table=I");
        Assert.Equal(150, tableI.GetArrayLength());
        var first = tableI[0];
        Assert.Equal(("arXiv:2502.11725", "I", 1, "table_I.csv", "90.2"), (first.GetProperty("paper").GetString(), first.GetProperty("table").GetString(),
            first.GetProperty("row").GetInt32(), first.GetProperty("source").GetString(), first.GetProperty("value_text").GetString()));
        var all = await _host.GetJson(anon, "/api/reported");
        Assert.Equal(2185, all.GetArrayLength());
        Assert.Equal(12, all.EnumerateArray().Count(r => r.GetProperty("contradiction").GetBoolean()));
        var lipsim = await _host.GetJson(anon, "/api/reported?table=II&method=LipSim%20(Margin_0.2)&threat=linf");
        Assert.Equal(2, lipsim.GetArrayLength());

        Assert.Equal(HttpStatusCode.BadRequest, (await anon.GetAsync("/api/reported?tabel=I")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anon.GetAsync("/api/reported?threat=pgd")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anon.GetAsync("/api/reported?table=I&table=II")).StatusCode);

        var models = await _host.GetJson(anon, "/api/reported/models");
        Assert.Contains(models.EnumerateArray(), m => m.GetProperty("method").GetString() == "R-CLIP_F" && m.GetProperty("encoder").GetString() == "ConvNeXt-B" && m.GetProperty("training").GetString() == "zero-shot");

        // The boards: reported-only boards in the picker, the source filter in the API.
        var choices = await _host.GetJson(anon, "/api/leaderboards");
        Assert.Contains(choices.EnumerateArray(), c => c.GetProperty("key").GetString() == "reported-nights" && c.GetProperty("reported_only").GetBoolean());
        var bapps = await _host.GetJson(anon, "/api/leaderboards/reported-bapps?source=reported");
        Assert.All(bapps.GetProperty("rows").EnumerateArray(), r => Assert.Equal("reported", r.GetProperty("source").GetString()));
        Assert.Empty((await _host.GetJson(anon, "/api/leaderboards/reported-bapps?source=measured")).GetProperty("rows").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await anon.GetAsync("/api/leaderboards/reported-bapps?source=paper")).StatusCode);
    }

    [Fact]
    public async Task Only_admins_link_an_encoder_to_a_reported_model()
    {
        var researcher = await _host.ApiAs(Roles.Researcher);
        var admin = await _host.ApiAs(Roles.Admin);
        var e = await _host.PostJson(researcher, "/api/encoders/builtin", new { name = "ssim", size = 16 });
        var id = e.GetProperty("id").GetInt32();
        var url = $"/api/encoders/{id}/reported-model";

        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Api().PutAsJsonAsync(url, RClip)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.PutAsJsonAsync(url, RClip)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.DeleteAsync(url)).StatusCode);
        var bad = await admin.PutAsJsonAsync(url, new { method = "R-CLIP_F", encoder = "ConvNeXt-XXL", training = "zero-shot" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("no reported model", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync(url, new { method = "R-CLIP_F" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/encoders/99999/reported-model", RClip)).StatusCode);

        var ok = await admin.PutAsJsonAsync(url, RClip);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var linked = (await PortalHost.ReadJson(ok)).GetProperty("reported_model");
        Assert.Equal("R-CLIP_F", linked.GetProperty("method").GetString());
        Assert.Equal(("R-CLIP_F", "ConvNeXt-B", "zero-shot"), await Link(id));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(url)).StatusCode);
        Assert.Equal((null, null, null), await Link(id));
    }

    private async Task<(string?, string?, string?)> Link(int id)
    {
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var e = await db.Encoders.AsNoTracking().SingleAsync(x => x.Id == id);
        return (e.ReportedMethod, e.ReportedBackbone, e.ReportedTraining);
    }

    public void Dispose()
    {
        _host.Dispose();
        _dir.Dispose();
    }
}
