using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Data.Entities;
using Portal.Engine.Retrieval;
using Portal.Tests.Web.Support;
using Portal.Web.Configuration;
using Portal.Web.Features.Retrieval;
using SkiaSharp;

namespace Portal.Tests.Web.Features.Retrieval;

/// <summary>/artifacts/results/{id}/…: sensitive images blurred for everyone, originals only for researchers, nothing outside the folder.</summary>
public sealed class ArtifactAccessTests(RetrievalPortalFixture fx) : IClassFixture<RetrievalPortalFixture>
{
    private async Task<(ResultRecord Row, string Dir, EvidenceIndex Index)> AttackedDetection()
    {
        await using var db = await fx.Host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var row = await db.Results.Include(r => r.Dataset).FirstAsync(r => r.Dataset!.Name == RetrievalDemo.DetectionName && r.Config.Attack == "apgd");
        var dir = Path.Combine(fx.Host.Services.GetRequiredService<DataPaths>().Artifacts, row.ArtifactsDir!);
        return (row, dir, JsonSerializer.Deserialize<EvidenceIndex>(File.ReadAllText(Path.Combine(dir, "index.json")), EvidenceWriter.Json)!);
    }

    [Fact]
    public async Task Anonymous_gets_blurred_sensitive_images_and_reveal_is_refused()
    {
        var (row, dir, index) = await AttackedDetection();
        var item = index.Items.First(i => i.QuerySensitive);
        foreach (var rel in new[] { item.Query, item.Adversarial! })
        {
            var raw = await File.ReadAllBytesAsync(Path.Combine(dir, rel));
            var r = await fx.Anonymous.GetAsync(ResultArtifactsApi.Url(row.Id, rel));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var served = await r.Content.ReadAsByteArrayAsync();
            Assert.NotEqual(raw, served);
            using var a = SKBitmap.Decode(raw);
            using var b = SKBitmap.Decode(served);
            Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
            // Blurred: the pixel-level detail is gone (mean absolute difference between neighbouring pixels drops).
            Assert.True(Roughness(b) < 0.5 * Roughness(a) + 1e-3, $"{rel}: roughness {Roughness(b)} vs original {Roughness(a)}");
            Assert.Contains("no-store", r.Headers.CacheControl!.ToString());

            var reveal = await fx.Anonymous.GetAsync(ResultArtifactsApi.Url(row.Id, rel, reveal: true));
            Assert.Equal(HttpStatusCode.Unauthorized, reveal.StatusCode);
            Assert.NotEqual(raw, await reveal.Content.ReadAsByteArrayAsync());
        }
        // The perturbation (noise, what the viewer exists to show) is never blurred, even for a sensitive query (SensitiveBlur.ShouldBlur).
        var praw = await File.ReadAllBytesAsync(Path.Combine(dir, item.Perturbation!));
        Assert.Equal(praw, await fx.Anonymous.GetByteArrayAsync(ResultArtifactsApi.Url(row.Id, item.Perturbation!)));
        // Sensitive neighbours (unsafe pool images) are blurred too.
        var neighbour = index.Items.SelectMany(i => i.Clean.Concat(i.Attacked ?? [])).First(n => n.Sensitive);
        var nraw = await File.ReadAllBytesAsync(Path.Combine(dir, neighbour.Image));
        Assert.NotEqual(nraw, await fx.Anonymous.GetByteArrayAsync(ResultArtifactsApi.Url(row.Id, neighbour.Image)));
    }

    [Fact]
    public async Task Researcher_may_reveal_and_safe_images_are_served_as_they_are()
    {
        var (row, dir, index) = await AttackedDetection();
        var item = index.Items.First(i => i.QuerySensitive);
        using var researcher = await fx.Host.ApiAs(Roles.Researcher);
        var raw = await File.ReadAllBytesAsync(Path.Combine(dir, item.Query));
        Assert.NotEqual(raw, await researcher.GetByteArrayAsync(ResultArtifactsApi.Url(row.Id, item.Query)));
        Assert.Equal(raw, await researcher.GetByteArrayAsync(ResultArtifactsApi.Url(row.Id, item.Query, reveal: true)));

        var safe = index.Items.SelectMany(i => i.Clean).First(n => !n.Sensitive);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dir, safe.Image)), await fx.Anonymous.GetByteArrayAsync(ResultArtifactsApi.Url(row.Id, safe.Image)));
        var json = await fx.Anonymous.GetAsync(ResultArtifactsApi.Url(row.Id, "index.json"));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
    }

    [Fact]
    public async Task Paths_outside_the_evidence_folder_are_refused()
    {
        var (row, dir, _) = await AttackedDetection();
        Assert.True(File.Exists(Path.Combine(dir, "..", "records.jsonl")));
        foreach (var path in new[] { "../records.jsonl", "../../../../../etc/passwd", "%2e%2e/records.jsonl", "..%2Frecords.jsonl", "/etc/passwd" })
        {
            // Sent raw (HttpClient would normalise the dot segments away).
            var ctx = await fx.Host.Server.SendAsync(c => { c.Request.Method = "GET"; c.Request.Path = PathString.FromUriComponent($"/artifacts/results/{row.Id}/{path}"); });
            Assert.True(ctx.Response.StatusCode is 400 or 404, $"{path}: {ctx.Response.StatusCode}");
            using var reader = new StreamReader(ctx.Response.Body);
            Assert.DoesNotContain("fingerprint", await reader.ReadToEndAsync());
        }
        var traversal = await fx.Host.Server.SendAsync(c => { c.Request.Method = "GET"; c.Request.Path = $"/artifacts/results/{row.Id}/../records.jsonl"; });
        Assert.Equal(400, traversal.Response.StatusCode);
        Assert.Null(EvidenceFiles.Resolve(dir, "../records.jsonl"));
        Assert.Null(EvidenceFiles.Resolve(dir, "/etc/passwd"));
        Assert.Null(EvidenceFiles.Resolve(dir, "a/../../x"));
        // A file in the folder that the index does not name is not served either.
        await File.WriteAllTextAsync(Path.Combine(dir, "stray.png"), "x");
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Anonymous.GetAsync(ResultArtifactsApi.Url(row.Id, "stray.png"))).StatusCode);
    }

    private static double Roughness(SKBitmap bmp)
    {
        double sum = 0; int n = 0;
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 1; x < bmp.Width; x++)
            {
                var a = bmp.GetPixel(x, y); var b = bmp.GetPixel(x - 1, y);
                sum += Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue);
                n++;
            }
        return sum / n;
    }
}
