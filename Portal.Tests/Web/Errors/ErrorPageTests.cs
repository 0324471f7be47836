using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Errors;

/// <summary>People get pages that say what went wrong and where to go; the API keeps answering JSON.</summary>
public sealed class ErrorPageTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly PortalHost _host;

    public ErrorPageTests() => _host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });

    [Fact]
    public async Task Unknown_page_is_a_404_page_with_the_path_and_links_and_unknown_api_is_json()
    {
        using var c = _host.Api();
        var page = await c.GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Page not found", html);
        Assert.Contains("/no/such/page", html);
        Assert.Contains("href=\"/encoders\"", html);

        var api = await c.GetAsync("/api/no/such");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no API endpoint GET /api/no/such", (await PortalHost.ReadJson(api)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Server_failure_shows_the_error_page_for_people_and_json_for_the_api()
    {
        using var c = _host.Api();
        // Break the database under the running portal: every results query now throws.
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE results RENAME TO results_gone");

        var api = await c.GetAsync("/api/results");
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        var body = await PortalHost.ReadJson(api);
        Assert.Contains("unexpected server error", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("request_id").GetString()));

        var page = await c.GetAsync("/");
        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Something went wrong", html);
        Assert.Contains("Request id", html);
    }

    public void Dispose()
    {
        _host.Dispose();
        _dir.Dispose();
    }
}
