using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Engine.Inversion;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Configuration;

namespace Portal.Tests.Web.Features.Galleries;

/// <summary>
/// One blur policy across viewers and galleries: a gallery's sensitive target is served blurred (original and every
/// reconstruction) to everyone, the original only to a researcher who asks; other targets are served as they are; a
/// sensitive target that is not one of the gallery's is refused when the gallery is defined.
/// </summary>
public sealed class GalleryBlurTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    [Fact]
    public async Task A_sensitive_targets_images_are_served_blurred_and_revealed_only_to_researchers()
    {
        using var host = new PortalHost(_dir.Path);
        using var admin = await host.ApiAs(Roles.Admin);
        using var researcher = await host.ApiAs(Roles.Researcher);
        using var anonymous = host.Api();
        var (cleanPath, _) = GalleryTestData.DemoEncoders(_dir);
        var clean = await GalleryTestData.UploadEncoder(host, researcher, cleanPath, "demo clean");
        var images = GalleryTestData.Images(_dir, 2);

        await host.PostJson(admin, "/api/galleries", new { name = "typo", kind = "features", images, sensitive_targets = new[] { "img7" }, iterations = 3 }, 422);
        var gallery = await host.PostJson(admin, "/api/galleries", new { name = "sensitive", kind = "features", images, seeds = new[] { 0 }, iterations = 3, sensitive_targets = new[] { "img0" } }, 201);
        var job = await host.PostJson(researcher, $"/api/galleries/{GalleryTestData.Id(gallery)}/jobs", new { encoder_id = clean }, 201);
        var end = await host.WaitForJobEnd(researcher, job.GetProperty("job").GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
        Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());

        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var row = await db.Results.SingleAsync(r => r.DatasetId == GalleryTestData.Id(gallery));
        var folder = Path.Combine(host.Services.GetRequiredService<DataPaths>().Artifacts, row.ArtifactsDir!);
        var index = InversionIndex.Read(Path.Combine(folder, InversionIndex.FileName));
        string Url(string rel) => $"/artifacts/galleries/{row.Id}/{rel}";
        var sensitiveFiles = new[] { index.Targets.Single(t => t.Id == "img0").Image!, index.Results.Single(r => r.Target == "img0").Image };
        foreach (var rel in sensitiveFiles)
        {
            var original = await File.ReadAllBytesAsync(Path.Combine(folder, rel));
            foreach (var client in new[] { anonymous, researcher })
            {
                var blurred = await client.GetAsync(Url(rel));
                Assert.Equal(HttpStatusCode.OK, blurred.StatusCode);
                Assert.Contains("no-store", blurred.Headers.CacheControl?.ToString());
                Assert.NotEqual(original, await blurred.Content.ReadAsByteArrayAsync());
            }
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Url(rel) + "?reveal=1")).StatusCode);
            var revealed = await researcher.GetAsync(Url(rel) + "?reveal=1");
            Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
            Assert.Equal(original, await revealed.Content.ReadAsByteArrayAsync());
        }
        // The other target is not of a sensitive class: as it is, for everyone.
        foreach (var rel in new[] { index.Targets.Single(t => t.Id == "img1").Image!, index.Results.Single(r => r.Target == "img1").Image })
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(folder, rel)), await (await anonymous.GetAsync(Url(rel))).Content.ReadAsByteArrayAsync());
    }

    public void Dispose() => _dir.Dispose();
}
