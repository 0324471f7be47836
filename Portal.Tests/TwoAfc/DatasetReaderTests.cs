using Portal.Engine.Datasets;
using Portal.Engine.Encoders;
using Portal.Tests.Support;
using static Portal.Tests.TwoAfc.TwoAfcTestData;
using Portal.Engine.TwoAfc;

namespace Portal.Tests.TwoAfc;

public class DatasetReaderTests
{
    private static readonly NightsRow[] Rows =
    [
        new("10", 1, 6, "train", true),
        new("11", 1, 5, "train", true),           // < 6 votes: dropped
        new("12", 0, 7, "val", false),
        new("13", 1, 6, "test", true),
        new("14", 0, 6, "test", false, "quoted \"text\", with commas"),
        new("15", 0, 6, "test", false),           // its left image is deleted below
        new("16", 1, 3, "test", true),            // dropped
        new("17", 0.4, 6, "test", true),          // fractional vote: hard label 0 (right needs > 0.5)
    ];

    [Fact]
    public void Nights_splits_labels_and_vote_filter_follow_the_canonical_loaders()
    {
        using var dir = new FixturePaths.TempDir();
        WriteNights(dir.Path, Rows);
        var missing = Path.Combine(dir.Path, "distort", "000", "005_0.png");
        File.Delete(missing);

        var test = NightsReader.Load(dir.Path, "test");
        Assert.Equal(["13", "14", "17"], test.Items.Select(i => i.Id));
        Assert.Equal(["test_imagenet", "test_no_imagenet", "test_imagenet"], test.Items.Select(i => i.Split));
        Assert.Equal([1f, 0f, 0.4f], test.Items.Select(i => i.Label));
        Assert.Equal([1, 0, 0], test.Items.Select(i => i.HardLabel));
        var bad = Assert.Single(test.Bad);
        Assert.Equal("15", bad.Id);
        Assert.Equal(missing, bad.Path);
        Assert.Contains("not found", bad.Reason);
        Assert.Equal(Path.Combine(dir.Path, "ref", "000", "003.png"), test.Items[0].RefPath);
        Assert.Equal(Path.Combine(dir.Path, "distort", "000", "003_0.png"), test.Items[0].Path0);   // left = image 0
        Assert.Equal(Path.Combine(dir.Path, "distort", "000", "003_1.png"), test.Items[0].Path1);   // right = image 1
        Assert.Null(test.Items[0].Recipe);   // NIGHTS uses the model's own recipe

        Assert.Equal(["13", "17"], NightsReader.Load(dir.Path, "test_imagenet").Items.Select(i => i.Id));
        Assert.Equal(["14"], NightsReader.Load(dir.Path, "test_no_imagenet").Items.Select(i => i.Id));
        Assert.Equal(["10"], NightsReader.Load(dir.Path, "train").Items.Select(i => i.Id));
        var val = NightsReader.Load(dir.Path, "val");
        Assert.Equal(["12"], val.Items.Select(i => i.Id));
        Assert.Equal(0, val.Items[0].HardLabel);
        Assert.Empty(val.Bad);
        Assert.Throws<ArgumentException>(() => NightsReader.Load(dir.Path, "holdout"));
    }

    [Fact]
    public void Nights_reads_columns_by_name_in_any_order_and_accepts_the_parent_folder()
    {
        using var dir = new FixturePaths.TempDir();
        var root = Path.Combine(dir.Path, "nights");
        WriteNights(root, Rows.Take(4));
        // Rewrite data.csv with the columns shuffled: reading by position would mislabel everything.
        var table = CsvTable.Read(Path.Combine(root, "data.csv"));
        var order = new[] { 9, 7, 6, 5, 4, 3, 2, 1, 0, 8 };
        var lines = new List<string> { string.Join(',', order.Select(i => table.Header[i])) };
        lines.AddRange(table.Rows.Select(r => string.Join(',', order.Select(i => i == 9 ? "\"" + r.Fields[i] + "\"" : r.Fields[i]))));
        File.WriteAllText(Path.Combine(root, "data.csv"), string.Join('\n', lines) + "\n");

        var test = NightsReader.Load(dir.Path, "test");
        var item = Assert.Single(test.Items);
        Assert.Equal("13", item.Id);
        Assert.Equal(1f, item.Label);
        Assert.EndsWith(Path.Combine("distort", "000", "003_1.png"), item.Path1);
    }

    [Fact]
    public void Bapps_pairs_files_reads_judges_and_upsamples_bilinearly_to_224()
    {
        using var dir = new FixturePaths.TempDir();
        WriteBapps(dir.Path, "cnn", [0.0, 0.4, 0.6], seed: 1);
        WriteBapps(dir.Path, "color", [0.5, 1.0], seed: 2);
        var all = BappsReader.Load(dir.Path, "all");
        Assert.Equal(["cnn/000000", "cnn/000001", "cnn/000002", "color/000000", "color/000001"], all.Items.Select(i => i.Id));
        Assert.Equal([0f, 0.4f, 0.6f, 0.5f, 1f], all.Items.Select(i => i.Label));
        Assert.Equal([0, 0, 1, 0, 1], all.Items.Select(i => i.HardLabel));   // majority; 0.5 goes to p0 as bapps-bin does
        Assert.All(all.Items, i => Assert.True(i.FractionalLabel));
        var recipe = all.Items[0].Recipe!;
        Assert.Equal((224, 224, ResizeMode.Squash, Interpolation.Bilinear), (recipe.ImageHeight, recipe.ImageWidth, recipe.Mode, recipe.Interpolation));
        Assert.Equal(["color/000000", "color/000001"], BappsReader.Load(Path.Combine(dir.Path, "2afc"), "color").Items.Select(i => i.Id));
        Assert.Throws<ArgumentException>(() => BappsReader.Load(dir.Path, "blur"));
        Assert.Throws<DirectoryNotFoundException>(() => BappsReader.Load(dir.Path, "deblur"));
    }

    [Fact]
    public void Bapps_reports_missing_and_corrupt_files_by_path()
    {
        using var dir = new FixturePaths.TempDir();
        WriteBapps(dir.Path, "traditional", [0.2, 0.8, 0.6, 0.4]);
        var split = Path.Combine(dir.Path, "2afc", "val", "traditional");
        File.Delete(Path.Combine(split, "p1", "000000.png"));
        File.WriteAllBytes(Path.Combine(split, "judge", "000001.npy"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(split, "ref", "000002.png"), []);
        var load = BappsReader.Load(dir.Path, "traditional");
        Assert.Equal(["traditional/000003"], load.Items.Select(i => i.Id));
        Assert.Equal(3, load.Bad.Count);
        Assert.Contains(load.Bad, b => b.Path == Path.Combine(split, "p1", "000000.png") && b.Reason.Contains("missing"));
        Assert.Contains(load.Bad, b => b.Path == Path.Combine(split, "judge", "000001.npy") && b.Reason.Contains("npy"));
        Assert.Contains(load.Bad, b => b.Path == Path.Combine(split, "ref", "000002.png") && b.Reason.Contains("empty"));
    }

    [Fact]
    public void Npy_parser_reads_scalars_and_refuses_lies()
    {
        // float32 0-d array, as np.save(np.float32(0.6)) writes it.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }".PadRight(117) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        bytes.AddRange(BitConverter.GetBytes(0.6f));
        var a = NpyFile.Parse(bytes.ToArray(), "x.npy");
        Assert.Empty(a.Shape);
        Assert.Equal(0.6f, (float)Assert.Single(a.Values));

        var f64 = NpyFile.Parse(NpyFile.Float64([0.2, 0.4], [2]), "y.npy");
        Assert.Equal([0.2, 0.4], f64.Values);
        var truncated = NpyFile.Float64([0.2, 0.4], [2])[..^4];
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => NpyFile.Parse(truncated, "z.npy")).Message);
        Assert.Contains("bad magic", Assert.Throws<FormatException>(() => NpyFile.Parse(new byte[20], "w.npy")).Message);
    }
}
