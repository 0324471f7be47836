using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>Which server files may be registered (issue 14, items 7–9): admins only, from the allowed folders, never the data folder.</summary>
public sealed class ServerFileTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private ServerFiles Files(List<string>? roots)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([new(RootSettings.BaseDirectoryKey, _dir.Path)]).Build();
        return new ServerFiles(Options.Create(new PortalOptions { ServerFileRoots = roots }), new DataPaths(Path.Combine(_dir.Path, "data")), config, null!);
    }

    private string Write(string relative)
    {
        var p = Path.Combine(_dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllBytes(p, [1, 2, 3]);
        return p;
    }

    [Fact]
    public void By_default_only_the_models_folder_is_open_and_an_empty_list_opens_nothing()
    {
        var model = Write("models/clip.bin");
        var elsewhere = Write("elsewhere/clip.bin");
        var files = Files(null);
        Assert.Equal(model, files.File(model));
        Assert.Contains("not under an allowed folder", Assert.Throws<UnauthorizedAccessException>(() => files.File(elsewhere)).Message);
        Assert.Throws<UnauthorizedAccessException>(() => files.File("/etc/passwd"));
        Assert.Contains("is empty", Assert.Throws<UnauthorizedAccessException>(() => Files([]).File(model)).Message);
    }

    [Fact]
    public void The_data_folder_is_never_open_not_even_through_a_root_or_a_link()
    {
        var db = Write("data/portal.db");
        var files = Files(["/"]);
        Assert.Throws<UnauthorizedAccessException>(() => files.File(db));
        Assert.Throws<UnauthorizedAccessException>(() => files.File(Path.Combine(_dir.Path, "data", "..", "data", "portal.db")));
        Assert.Throws<UnauthorizedAccessException>(() => files.Folder(Path.Combine(_dir.Path, "data")));
        Assert.Throws<UnauthorizedAccessException>(() => files.Folder(_dir.Path)); // a folder holding the data folder
        Directory.CreateDirectory(Path.Combine(_dir.Path, "models"));
        var link = Path.Combine(_dir.Path, "models", "innocent.bin");
        File.CreateSymbolicLink(link, db);
        Assert.Contains("links to", Assert.Throws<UnauthorizedAccessException>(() => Files(null).File(link)).Message);
        var dirLink = Path.Combine(_dir.Path, "models", "more");
        Directory.CreateSymbolicLink(dirLink, Path.Combine(_dir.Path, "data"));
        Assert.Throws<UnauthorizedAccessException>(() => Files(null).File(Path.Combine(dirLink, "portal.db")));
    }

    [Fact]
    public async Task Registering_a_server_file_is_an_admins_act_and_a_refused_file_publishes_no_hash()
    {
        var outside = Write("secret/shadow");
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?>
        {
            ["Portal:Worker:Enabled"] = "false", ["Portal:ServerFileRoots:0"] = Path.Combine(_dir.Path, "models"),
        });
        using var researcher = await host.ApiAs(Roles.Researcher);
        using var admin = await host.ApiAs(Roles.Admin);
        using var anon = host.Api();
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.PostAsync("/api/encoders/register", System.Net.Http.Json.JsonContent.Create(new { path = outside }))).StatusCode);
        // Existing and missing files outside the roots answer the same: no existence oracle.
        var a = await admin.PostAsync("/api/encoders/register", System.Net.Http.Json.JsonContent.Create(new { path = outside }));
        var b = await admin.PostAsync("/api/encoders/register", System.Net.Http.Json.JsonContent.Create(new { path = outside + "-missing" }));
        Assert.Equal(HttpStatusCode.Forbidden, a.StatusCode);
        Assert.Equal(a.StatusCode, b.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync("/api/encoders/register", System.Net.Http.Json.JsonContent.Create(new { path = Path.Combine(host.DataRoot, "portal.db") }))).StatusCode);

        // A file inside a root that the engine refuses: rejected, and nobody but an admin learns its hash.
        var junk = Write("models/junk.bin");
        var reg = await host.PostJson(admin, "/api/encoders/register", new { path = junk, name = "junk" }, 202);
        var id = reg.GetProperty("encoder").GetProperty("id").GetInt32();
        await using (var db = await host.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Portal.Data.PortalDbContext>>().CreateDbContextAsync())
        {
            var e = await db.Encoders.FindAsync(id);
            e!.Status = Portal.Data.Entities.EncoderStatus.Rejected;
            e.RejectReason = $"{junk}: not a checkpoint";
            await db.SaveChangesAsync();
        }
        var seen = await host.GetJson(admin, $"/api/encoders/{id}");
        Assert.Equal(64, seen.GetProperty("sha256").GetString()!.Length);
        Assert.Equal(junk, seen.GetProperty("storage_path").GetString());
    }

    public void Dispose() => _dir.Dispose();
}
