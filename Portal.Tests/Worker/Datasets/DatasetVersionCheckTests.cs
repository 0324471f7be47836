using Portal.Data.Accounts;
using Portal.Data.Entities;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Worker.Datasets;

namespace Portal.Tests.Worker.Datasets;

/// <summary>Issue 18 (item 2): one "dataset changed since registered" check for every runner, and a job that meets it fails saying so.</summary>
public sealed class DatasetVersionCheckTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    [Fact]
    public void Same_version_passes_and_a_changed_one_names_the_benchmark_gallery_or_image_set()
    {
        var bench = new BenchmarkRecord { Name = "tiny", TaskKind = TaskKind.TwoAfc, Format = "nights", DatasetRoot = "/data/tiny", Split = "test", Splits = "", VersionHash = "aaaaaaaaaaaaaaaa" };
        DatasetVersionCheck.Ensure(bench, "aaaaaaaaaaaaaaaa");
        var e = Assert.Throws<InvalidDataException>(() => DatasetVersionCheck.Ensure(bench, "bbbbbbbbbbbbbbbb"));
        Assert.Equal("the dataset at /data/tiny changed since benchmark 'tiny' was registered (version bbbbbbbbbbbb ≠ aaaaaaaaaaaa); register it again under a new name", e.Message);
        var gallery = new GalleryRecord { Name = "tiny", TaskKind = TaskKind.FeatureInversion, DatasetRoot = "/data/g", VersionHash = "aa" };
        Assert.StartsWith("gallery 'tiny' changed since it was defined", Assert.Throws<InvalidDataException>(() => DatasetVersionCheck.Ensure(gallery, "bb")).Message);
        var images = new TrainingImageSetRecord { Name = "FARE images: /data/i", TaskKind = TaskKind.Fare, DatasetRoot = "/data/i", VersionHash = "aa" };
        Assert.Equal("the image folder /data/i changed since the job was queued (version bb ≠ aa); submit the job again",
            Assert.Throws<InvalidDataException>(() => DatasetVersionCheck.Ensure(images, "bb")).Message);
    }

    [Fact]
    public async Task A_2afc_job_on_a_dataset_changed_after_registration_fails_with_the_reason()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var admin = await host.ApiAs(Roles.Admin);
        var data = PortalTestData.Nights(_dir, count: 6, size: 32);
        var bench = await host.PostJson(admin, "/api/benchmarks", new { name = "changing", dataset_root = data, format = "nights", split = "test" }, 201);
        var encoder = await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 });
        // One reference image repainted after registration: same names, other bytes.
        var image = Directory.EnumerateFiles(Path.Combine(data, "ref"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.Copy(Directory.EnumerateFiles(Path.Combine(data, "distort"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First(), image, overwrite: true);

        var submitted = await host.PostJson(admin, "/api/jobs", new { encoder_id = EncoderId(encoder), benchmark_id = bench.GetProperty("id").GetInt32(), presets = new[] { "clean" } }, 201);
        var end = await host.WaitForJobEnd(admin, submitted[0].GetProperty("job").GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
        Assert.Equal("failed", end.GetProperty("status").GetString());
        Assert.Contains("changed since benchmark 'changing' was registered", end.GetProperty("error").GetString());
    }

    private static int EncoderId(System.Text.Json.JsonElement e) =>
        e.TryGetProperty("encoder", out var inner) ? inner.GetProperty("id").GetInt32() : e.GetProperty("id").GetInt32();

    public void Dispose() => _dir.Dispose();
}
