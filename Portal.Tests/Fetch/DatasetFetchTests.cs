using System.Text.Json;
using Portal.Engine.Fetch;
using Portal.Tests.Support;
using Portal.Engine.TwoAfc;

namespace Portal.Tests.Fetch;

/// <summary>`datasets fetch` against a local server standing in for the publishers (--base-url), with archives in the real layouts.</summary>
public class DatasetFetchTests
{
    private static readonly FetchOptions Local = new() { AllowedHosts = ["127.0.0.1"], MaxAttempts = 2 };

    private static LocalHttpServer Serve(Dictionary<string, byte[]> files) =>
        new(r => files.TryGetValue(r.Path, out var b) ? LocalHttpServer.ServeFile(r, b, "\"" + FetchTestData.Sha(b)[..12] + "\"") : new Reply(404, []));

    [Fact]
    public async Task Nights_lands_in_the_layout_the_reader_expects_with_a_complete_marker()
    {
        var zip = FetchTestData.FakeNightsZip();
        using var server = Serve(new() { ["/nights/nights.zip"] = zip });
        using var dir = new FixturePaths.TempDir();
        var r = await new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None);
        var root = Path.Combine(dir.Path, "nights");
        Assert.Equal(root, r.Root);
        Assert.False(r.AlreadyComplete);
        Assert.True(File.Exists(Path.Combine(root, "data.csv")));
        Assert.True(File.Exists(Path.Combine(root, "ref", "000", "000.png")));
        Assert.True(File.Exists(Path.Combine(root, "distort", "000", "000_1.png")));
        Assert.True(File.Exists(Path.Combine(root, DatasetFetcher.CompleteMarker)));
        Assert.Equal(root, Portal.Engine.TwoAfc.NightsReader.ResolveRoot(root));
        // The checksum nobody published is pinned at first download.
        var pinned = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, DatasetFetcher.ChecksumsFile))).RootElement;
        Assert.Equal(FetchTestData.Sha(zip), pinned.GetProperty("https://data.csail.mit.edu/nights/nights.zip").GetProperty("sha256").GetString());
        Assert.Equal(["https://data.csail.mit.edu/nights/nights.zip"], r.PinnedNow);
        Assert.Empty(Directory.GetDirectories(dir.Path, ".staging-*"));
        Assert.False(File.Exists(Path.Combine(dir.Path, ".downloads", "nights", "nights.zip")));
        Assert.Contains("\"format\":\"nights\"", DatasetFetcher.RegisterCommands(DatasetCatalog.Get("nights"), root)[0]);
    }

    [Fact]
    public async Task A_rerun_of_a_complete_dataset_does_nothing()
    {
        using var server = Serve(new() { ["/nights/nights.zip"] = FetchTestData.FakeNightsZip() });
        using var dir = new FixturePaths.TempDir();
        await new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None);
        var before = server.Requests.Count;
        var again = await new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None);
        Assert.True(again.AlreadyComplete);
        Assert.Equal(before, server.Requests.Count);
    }

    [Fact]
    public async Task A_corrupt_archive_is_reported_deleted_and_never_marked_complete()
    {
        var good = FetchTestData.FakeNightsZip();
        var files = new Dictionary<string, byte[]> { ["/nights/nights.zip"] = good[..(good.Length / 2)] };
        using var server = Serve(files);
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None));
        Assert.Contains("not a readable archive", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "nights")));
        Assert.False(File.Exists(Path.Combine(dir.Path, DatasetFetcher.ChecksumsFile))); // a bad file is not pinned
        files["/nights/nights.zip"] = good;
        var r = await new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(r.Root, DatasetFetcher.CompleteMarker)));
    }

    [Fact]
    public async Task A_wrong_layout_installs_nothing()
    {
        using var server = Serve(new() { ["/nights/nights.zip"] = FetchTestData.Zip(("something/else.txt", "x")) });
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None));
        Assert.Contains("data.csv", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "nights")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".staging-*"));
    }

    [Fact]
    public async Task A_traversal_entry_in_a_dataset_archive_writes_nothing_outside()
    {
        using var server = Serve(new() { ["/nights/nights.zip"] = FetchTestData.Zip(("nights/data.csv", "a"), ("../../escaped.txt", "x")) });
        using var dir = new FixturePaths.TempDir();
        await Assert.ThrowsAsync<FetchException>(() => new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(dir.Path)!, "escaped.txt"));
        Assert.Empty(Directory.GetFiles(dir.Path, "escaped.txt", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "nights")));
    }

    [Fact]
    public async Task A_pinned_checksum_catches_a_changed_file_on_a_later_fetch()
    {
        var files = new Dictionary<string, byte[]> { ["/nights/nights.zip"] = FetchTestData.FakeNightsZip() };
        using var server = Serve(files);
        using var dir = new FixturePaths.TempDir();
        await new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None);
        Directory.Delete(Path.Combine(dir.Path, "nights"), true);
        files["/nights/nights.zip"] = FetchTestData.Zip(("nights/data.csv", "changed"), ("nights/ref/", ""), ("nights/distort/", ""));
        var e = await Assert.ThrowsAsync<FetchException>(() => new DatasetFetcher(Local).FetchAsync("nights", dir.Path, server.BaseUrl, CancellationToken.None));
        Assert.Contains("sha256 mismatch", e.Message);
    }

    [Fact]
    public async Task Bapps_tarballs_land_in_2afc_and_jnd()
    {
        using var server = Serve(new()
        {
            ["/dataset/twoafc_train.tar.gz"] = FetchTestData.TarGz(("train/", ""), ("train/cnn/ref/0.png", "r")),
            ["/dataset/twoafc_val.tar.gz"] = FetchTestData.TarGz(("val/", ""), ("val/traditional/ref/0.png", "r"), ("val/traditional/judge/0.npy", "j")),
            ["/dataset/jnd.tar.gz"] = FetchTestData.TarGz(("jnd/", ""), ("jnd/val/traditional/same/0.npy", "s")),
        });
        using var dir = new FixturePaths.TempDir();
        var r = await new DatasetFetcher(Local).FetchAsync("bapps", dir.Path, server.BaseUrl, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(r.Root, "2afc", "val", "traditional", "judge", "0.npy")));
        Assert.True(File.Exists(Path.Combine(r.Root, "2afc", "train", "cnn", "ref", "0.png")));
        Assert.True(File.Exists(Path.Combine(r.Root, "jnd", "val", "traditional", "same", "0.npy")));
        Assert.Equal(3, r.Files.Count);
    }

    [Fact]
    public async Task Rparis6k_flattens_both_archives_into_jpg_next_to_the_ground_truth()
    {
        using var server = Serve(new()
        {
            ["/~vgg/data/parisbuildings/paris_1-v1.tgz"] = FetchTestData.TarGz(("paris/defense/paris_defense_000000.jpg", "a")),
            ["/~vgg/data/parisbuildings/paris_2-v1.tgz"] = FetchTestData.TarGz(("paris/eiffel/paris_eiffel_000000.jpg", "b")),
            ["/revisitop/data/datasets/rparis6k/gnd_rparis6k.pkl"] = [0x80, 0x04, 0x2E],
        });
        using var dir = new FixturePaths.TempDir();
        var r = await new DatasetFetcher(Local).FetchAsync("rparis6k", dir.Path, server.BaseUrl, CancellationToken.None);
        Assert.Equal(["paris_defense_000000.jpg", "paris_eiffel_000000.jpg"], Directory.GetFiles(Path.Combine(r.Root, "jpg")).Select(Path.GetFileName).Order());
        Assert.True(File.Exists(Path.Combine(r.Root, "gnd_rparis6k.pkl")));
        Assert.StartsWith("portal datasets describe --kind retrieval --format rparis6k", DatasetFetcher.RegisterCommands(DatasetCatalog.Get("rparis6k"), r.Root)[0]);
    }

    [Fact]
    public void The_catalog_names_the_official_locations()
    {
        Assert.Equal("https://data.csail.mit.edu/nights/nights.zip", DatasetCatalog.Get("nights").Files[0].Url);
        Assert.All(DatasetCatalog.Get("bapps").Files, f => Assert.StartsWith("https://perceptual-similarity.s3.us-west-2.amazonaws.com/dataset/", f.Url));
        Assert.Equal(new Uri("http://127.0.0.1:9/~vgg/data/oxbuildings/oxbuild_images-v1.tgz"), DatasetCatalog.Rebase(DatasetCatalog.Get("roxford5k").Files[0].Url, "http://127.0.0.1:9"));
        Assert.Throws<FetchException>(() => DatasetCatalog.Get("imagenet"));
    }
}
