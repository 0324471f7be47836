using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Accounts;
using Portal.Engine.Images;
using Portal.Engine.Inversion;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Configuration;
using Portal.Web.Features.Jobs;
using Portal.Web.Progress;
using Portal.Worker.Execution;
using Portal.Worker.Models;
using Portal.Worker.Runners;

namespace Portal.Tests.Web.Features.Galleries;

/// <summary>
/// Feature-inversion galleries through the real portal: an operator defines a gallery of generated images, a
/// researcher queues it for two demo encoders, the worker stores PNGs + index.json and a result whose headline is the
/// mean final cosine, the Table VII heat-map fills in, files are served only from inside the result's folder, and a
/// re-run of the same job skips the finished targets.
/// </summary>
public sealed class InversionJobTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    [Fact]
    public async Task Gallery_jobs_store_reconstructions_results_and_the_cross_encoder_table()
    {
        using var host = new PortalHost(_dir.Path);
        using var admin = await host.ApiAs(Roles.Admin);
        using var researcher = await host.ApiAs(Roles.Researcher);
        var (cleanPath, farePath) = GalleryTestData.DemoEncoders(_dir);
        var clean = await GalleryTestData.UploadEncoder(host, researcher, cleanPath, "demo clean");
        var fare = await GalleryTestData.UploadEncoder(host, researcher, farePath, "demo fare");

        var images = GalleryTestData.Images(_dir, 2);
        // Defining a gallery names server folders: admins only.
        await host.PostJson(researcher, "/api/galleries", new { name = "tiny", kind = "features", images }, 403);
        var gallery = await host.PostJson(admin, "/api/galleries", new { name = "tiny", kind = "features", images, seeds = new[] { 0, 1 }, iterations = 6 }, 201);
        Assert.Equal("feature-inversion", gallery.GetProperty("task_kind").GetString());
        Assert.Equal(2, gallery.GetProperty("item_count").GetInt32());
        var galleryId = GalleryTestData.Id(gallery);

        var jobIds = new List<int>();
        foreach (var enc in new[] { clean, fare })
        {
            var s = await host.PostJson(researcher, $"/api/galleries/{galleryId}/jobs", new { encoder_id = enc }, 201);
            jobIds.Add(s.GetProperty("job").GetProperty("id").GetInt32());
        }
        foreach (var id in jobIds)
        {
            var j = await host.WaitForJobEnd(researcher, id, TimeSpan.FromMinutes(2));
            Assert.True(j.GetProperty("status").GetString() == "succeeded", j.ToString());
        }

        var body = await host.GetJson(researcher, $"/api/galleries/{galleryId}/results");
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        var paths = host.Services.GetRequiredService<DataPaths>();
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        foreach (var r in results)
        {
            var row = await db.Results.Include(x => x.Splits).SingleAsync(x => x.Id == r.GetProperty("result_id").GetInt32());
            var folder = Path.Combine(paths.Artifacts, row.ArtifactsDir!);
            var index = InversionIndex.Read(Path.Combine(folder, InversionIndex.FileName));
            Assert.Equal("features", index.Kind);
            Assert.Equal(4, index.Results.Count);                              // 2 targets × 2 seeds
            Assert.Equal(6, index.Settings.Iterations);
            foreach (var run in index.Results)
            {
                using var png = ImageIO.Load(Path.Combine(folder, run.Image));
                Assert.Equal(new long[] { 3, 64, 64 }, png.shape);            // the demo encoder's input size
                Assert.True(run.FinalCosine >= run.StartCosine, $"{run.Target} seed {run.Seed}: {run.StartCosine} → {run.FinalCosine}");
                Assert.InRange(run.DeltaL2, 0, 100 + 1e-3);
            }
            Assert.All(index.Targets, t => Assert.True(File.Exists(Path.Combine(folder, t.Image!)), t.Image));
            // Headline = mean final cosine; per-target rows; no robust column.
            Assert.Equal(index.Results.Average(x => x.FinalCosine), row.CleanValue, 9);
            Assert.Null(row.RobustValue);
            Assert.Equal(ResultMetrics.MeanCosine, row.Metric);   // a cosine, and the row says so (not an "accuracy")
            Assert.Equal(index.Targets.Select(t => t.Id).Order(), row.Splits.Select(s => s.Name).Order());
            Assert.True(row.SanityPassed, row.SanityJson);

            // The images are served from the result's folder …
            var url = $"/artifacts/galleries/{row.Id}/{index.Results[0].Image}";
            var ok = await researcher.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("image/png", ok.Content.Headers.ContentType?.MediaType);
            // … and nothing outside it, nor anything but PNG/JSON.
            foreach (var bad in new[] { "../../portal.db", "..%2F..%2Fportal.db", "inversions/..%2F..%2F..%2Fportal.db", "%2Fetc%2Fpasswd", "index.db" })
            {
                var resp = await researcher.GetAsync($"/artifacts/galleries/{row.Id}/{bad}");
                Assert.True(resp.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{bad}: {(int)resp.StatusCode}");
                Assert.NotEqual("image/png", resp.Content.Headers.ContentType?.MediaType);
            }
        }

        // Table VII: the second job scored both encoders' reconstructions with both encoders: a full 2×2 matrix.
        var heat = body.GetProperty("heat_map");
        Assert.Equal(2, heat.GetProperty("encoders").GetArrayLength());
        foreach (var row in heat.GetProperty("cells").EnumerateArray())
            foreach (var cell in row.EnumerateArray())
                Assert.InRange(cell.GetDouble(), -1, 1);
    }

    [Fact]
    public async Task A_rerun_of_the_same_job_skips_finished_targets()
    {
        using var host = new PortalHost(_dir.Path);
        using var admin = await host.ApiAs(Roles.Admin);
        var (cleanPath, _) = GalleryTestData.DemoEncoders(_dir);
        var enc = await GalleryTestData.UploadEncoder(host, admin, cleanPath, "demo clean");
        var gallery = await host.PostJson(admin, "/api/galleries", new { name = "resume", kind = "features", images = GalleryTestData.Images(_dir, 2), seeds = new[] { 0 }, iterations = 4 }, 201);
        var s = await host.PostJson(admin, $"/api/galleries/{GalleryTestData.Id(gallery)}/jobs", new { encoder_id = enc }, 201);
        var jobId = s.GetProperty("job").GetProperty("id").GetInt32();
        var end = await host.WaitForJobEnd(admin, jobId);
        Assert.Equal("succeeded", end.GetProperty("status").GetString());
        Assert.Equal(1, end.GetProperty("batch_size").GetInt32());
        Assert.Equal("1 seed run(s) optimised together: the gallery has 1 seed(s), at most 4 at once (configured (Worker:BatchSize))", end.GetProperty("batch_sizing").GetString());

        var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
        var folder = Path.Combine(host.Services.GetRequiredService<DataPaths>().Artifacts, "jobs", jobId.ToString());
        // Drop one target's image: an interrupted attempt. The re-run redoes that target only.
        var index = InversionIndex.Read(Path.Combine(folder, InversionIndex.FileName));
        var kept = index.Results[0];
        var dropped = index.Results[1];
        var keptTime = File.GetLastWriteTimeUtc(Path.Combine(folder, kept.Image));
        File.Delete(Path.Combine(folder, dropped.Image));

        var runner = host.WorkerServices.GetServices<IJobRunner>().OfType<InversionJobRunner>().Single();
        var sink = new JobProgressSink(factory, jobId, 20);
        var outcome = runner.Run(new JobRunContext(job, await db.Encoders.AsNoTracking().SingleAsync(e => e.Id == enc),
            await db.Datasets.AsNoTracking().SingleAsync(b => b.Id == job.DatasetId), sink, folder, CancellationToken.None));

        Assert.Equal(keptTime, File.GetLastWriteTimeUtc(Path.Combine(folder, kept.Image)));
        Assert.True(File.Exists(Path.Combine(folder, dropped.Image)));
        var again = InversionIndex.Read(Path.Combine(folder, InversionIndex.FileName));
        Assert.Equal(2, again.Results.Count);
        Assert.Equal(kept.FinalCosine, again.Results.Single(r => r.Target == kept.Target).FinalCosine);
        // Deterministic for a seed: the redone target lands on the same cosine.
        Assert.Equal(dropped.FinalCosine, again.Results.Single(r => r.Target == dropped.Target).FinalCosine, 6);
        Assert.Equal(again.Results.Average(r => r.FinalCosine), outcome.Result.CleanValue, 9);
    }

    [Fact]
    public async Task Text_inversion_requests_need_a_researcher_and_a_defined_text_gallery()
    {
        using var host = new PortalHost(_dir.Path);
        using var anonymous = host.Api();
        var r = await anonymous.PostAsync("/api/galleries/text", JsonContent.Create(new { encoder_id = 1, prompt = "a photo of a cat" }, options: PortalHost.Json));
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);

        using var researcher = await host.ApiAs(Roles.Researcher);
        var none = await host.PostJson(researcher, "/api/galleries/text", new { encoder_id = 1, prompt = "a photo of a cat" }, 409);
        Assert.Contains("vocabulary", none.GetProperty("error").GetString());
        var empty = await host.PostJson(researcher, "/api/galleries/text", new { encoder_id = 1, prompt = "  " }, 400);
        Assert.Contains("empty", empty.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_researcher_requests_a_prompt_and_gets_its_text_inversion()
    {
        using var host = new PortalHost(_dir.Path);
        using var admin = await host.ApiAs(Roles.Admin);
        using var researcher = await host.ApiAs(Roles.Researcher);
        var enc = await GalleryTestData.UploadEncoder(host, researcher, GalleryTestData.ClipWithTextTower(), "vit mini");
        var vocab = GalleryTestData.TinyVocabulary(Path.Combine(_dir.Path, "vocab"));
        // A text gallery without the vocabulary file is refused with the reason.
        var missing = await host.PostJson(admin, "/api/galleries", new { name = "no vocab", kind = "text" }, 422);
        Assert.Contains("vocabulary", missing.GetProperty("error").GetString());
        await host.PostJson(admin, "/api/galleries", new { name = "text", kind = "text", vocabulary = vocab, seeds = new[] { 0 }, iterations = 3, text_heads = 2 }, 201);

        var first = await host.PostJson(researcher, "/api/galleries/text", new { encoder_id = enc, prompt = "the cat" }, 201);
        Assert.Equal("queued", first.GetProperty("outcome").GetString());
        var jobId = first.GetProperty("job").GetProperty("id").GetInt32();
        var job = await host.WaitForJobEnd(researcher, jobId, TimeSpan.FromMinutes(2));
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());

        var galleryId = first.GetProperty("gallery").GetProperty("id").GetInt32();
        var body = await host.GetJson(researcher, $"/api/galleries/{galleryId}/results");
        var index = body.GetProperty("results")[0].GetProperty("index");
        Assert.Equal("text", index.GetProperty("kind").GetString());
        Assert.Equal("the cat", index.GetProperty("targets")[0].GetProperty("prompt").GetString());
        var run = index.GetProperty("results")[0];
        Assert.True(run.GetProperty("final_cosine").GetDouble() >= run.GetProperty("start_cosine").GetDouble());
        var png = await researcher.GetAsync($"/artifacts/galleries/{body.GetProperty("results")[0].GetProperty("result_id").GetInt32()}/{run.GetProperty("image").GetString()}");
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);

        // The same prompt again with the same encoder reuses the result.
        var again = await host.PostJson(researcher, "/api/galleries/text", new { encoder_id = enc, prompt = "the cat" }, 201);
        Assert.Equal("reused-result", again.GetProperty("outcome").GetString());
        Assert.Equal(galleryId, again.GetProperty("gallery").GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task A_text_gallery_without_prompts_gets_the_configured_defaults_else_the_built_in_ones()
    {
        var vocab = GalleryTestData.TinyVocabulary(Path.Combine(_dir.Path, "vocab"));
        async Task<IReadOnlyList<string>?> DefinedPrompts(PortalHost host, string name)
        {
            using var admin = await host.ApiAs(Roles.Admin);
            var b = await host.PostJson(admin, "/api/galleries", new { name, kind = "text", vocabulary = vocab, text_heads = 2 }, 201);
            return Portal.Web.Features.Galleries.GalleryDefinition.Load(b.GetProperty("dataset_root").GetString()!).Prompts;
        }

        using (var host = new PortalHost(Path.Combine(_dir.Path, "built-in")))
            Assert.Equal(Portal.Web.Features.Galleries.GalleryDefinition.BuiltInPrompts, await DefinedPrompts(host, "defaults"));

        // An operator's list (e.g. the paper's Figure 6 prompts) replaces the built-in six; blank entries are ignored.
        var configured = new Dictionary<string, string?>
        {
            ["Portal:Galleries:DefaultPrompts:0"] = " a portrait of a painter ",
            ["Portal:Galleries:DefaultPrompts:1"] = "",
            ["Portal:Galleries:DefaultPrompts:2"] = "a map of a city",
        };
        using (var host = new PortalHost(Path.Combine(_dir.Path, "configured"), configured))
            Assert.Equal(["a portrait of a painter", "a map of a city"], await DefinedPrompts(host, "operator defaults"));
    }

    [Theory]
    [InlineData("inversions/a-seed0.png", true)]
    [InlineData("index.json", true)]
    [InlineData("../other/index.json", false)]
    [InlineData("inversions/../../x.png", false)]
    [InlineData("/etc/passwd.png", false)]
    [InlineData("inversions//a.png", false)]
    [InlineData("inversions\\..\\a.png", false)]
    [InlineData("model.safetensors", false)]
    [InlineData("", false)]
    public void Artifact_paths_stay_inside_the_result_folder(string relative, bool allowed)
    {
        var file = Portal.Web.Features.Galleries.GalleriesApi.SafeFile(_dir.Path, "jobs/7", relative);
        if (allowed) Assert.Equal(Path.Combine(_dir.Path, "jobs", "7", relative), file);
        else Assert.Null(file);
    }

    public void Dispose() => _dir.Dispose();
}
