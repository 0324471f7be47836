namespace Portal.Engine.Fetch;

/// <summary>One file of a dataset: where the canonical script downloads it, and where its contents go under the dataset folder.</summary>
/// <param name="Url">The official location, as the dataset's own download script names it.</param>
/// <param name="Bytes">Size the publisher states, or null (none published: the first download records it in checksums.json).</param>
/// <param name="Sha256">Checksum the publisher states, or null (same).</param>
/// <param name="Into">Folder under the dataset root the archive is extracted into (or the plain file is placed in).</param>
/// <param name="Extract">False for a plain file (e.g. a ground-truth pickle).</param>
/// <param name="Hoist">When the extracted folder holds only this one folder, its contents move up (nights.zip unpacks to nights/).</param>
/// <param name="Flatten">Keep only file names (revisitop: every image straight into jpg/).</param>
public sealed record DatasetFile(string Url, long? Bytes, string? Sha256, string Into, bool Extract = true, string? Hoist = null, bool Flatten = false)
{
    public string FileName => Uri.UnescapeDataString(new Uri(Url).Segments[^1]);
}

/// <summary>A dataset by name: its files, the paths that must exist after extraction, and how the portal registers it.</summary>
public sealed record DatasetEntry(string Name, string Source, IReadOnlyList<DatasetFile> Files, IReadOnlyList<string> Layout, string Format, string Split, string TaskKind);

/// <summary>
/// The datasets `portal datasets fetch` knows, at the locations their publishers' scripts use:
/// NIGHTS from DreamSim's dataset/download_dataset.sh, BAPPS from LPIPS's scripts/download_dataset.sh (the S3
/// bucket it moved to), revisited Oxford/Paris from revisitop's python/download.py (the -v1 archives and the .pkl
/// ground truth its current version and the engine's reader use). None of the publishers give checksums or sizes,
/// so every Bytes/Sha256 here is null and the first download pins them in DIR/checksums.json.
/// </summary>
public static class DatasetCatalog
{
    private const string Bapps = "https://perceptual-similarity.s3.us-west-2.amazonaws.com/dataset/";

    public static readonly IReadOnlyList<DatasetEntry> All =
    [
        new("nights", "ssundaram21/dreamsim dataset/download_dataset.sh",
            [new("https://data.csail.mit.edu/nights/nights.zip", null, null, "", Hoist: "nights")],
            ["data.csv", "ref", "distort"], "nights", "test", "2afc"),
        new("bapps", "richzhang/PerceptualSimilarity scripts/download_dataset.sh",
            [
                new(Bapps + "twoafc_train.tar.gz", null, null, "2afc"),
                new(Bapps + "twoafc_val.tar.gz", null, null, "2afc"),
                new(Bapps + "jnd.tar.gz", null, null, ""),
            ],
            ["2afc/train", "2afc/val", "jnd"], "bapps", "all", "2afc"),
        new("roxford5k", "filipradenovic/revisitop python/download.py",
            [
                new("https://www.robots.ox.ac.uk/~vgg/data/oxbuildings/oxbuild_images-v1.tgz", null, null, "jpg", Flatten: true),
                new("http://cmp.felk.cvut.cz/revisitop/data/datasets/roxford5k/gnd_roxford5k.pkl", null, null, "", Extract: false),
            ],
            ["jpg", "gnd_roxford5k.pkl"], "roxford5k", "test", "retrieval"),
        new("rparis6k", "filipradenovic/revisitop python/download.py",
            [
                new("https://www.robots.ox.ac.uk/~vgg/data/parisbuildings/paris_1-v1.tgz", null, null, "jpg", Flatten: true),
                new("https://www.robots.ox.ac.uk/~vgg/data/parisbuildings/paris_2-v1.tgz", null, null, "jpg", Flatten: true),
                new("http://cmp.felk.cvut.cz/revisitop/data/datasets/rparis6k/gnd_rparis6k.pkl", null, null, "", Extract: false),
            ],
            ["jpg", "gnd_rparis6k.pkl"], "rparis6k", "test", "retrieval"),
    ];

    public static DatasetEntry Get(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new FetchException($"unknown dataset '{name}' (known: {string.Join(", ", All.Select(d => d.Name))})");

    /// <summary>The URL with its scheme/host/port replaced by <paramref name="baseUrl"/> (tests, mirrors); the path is kept.</summary>
    public static Uri Rebase(string url, string? baseUrl)
    {
        var u = new Uri(url);
        if (baseUrl == null) return u;
        var b = new Uri(baseUrl.TrimEnd('/') + "/");
        return new Uri(b, u.PathAndQuery.TrimStart('/'));
    }
}
