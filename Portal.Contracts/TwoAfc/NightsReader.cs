using System.Globalization;
using Portal.Engine.Datasets;

namespace Portal.Engine.TwoAfc;

/// <summary>
/// NIGHTS as DreamSim distributes it: ref/, distort/, data.csv. Follows the canonical loaders (DreamSim,
/// perceptual-metrics): rows with fewer than 6 votes are dropped; the label is right_vote (1 = the right image,
/// distort/…_1.png, was judged closer); test_imagenet / test_no_imagenet split the test rows by is_imagenet, and
/// "test" is their union with each item keeping its part as its split. Columns are read by name, falling back to the
/// canonical positions (id 0, right_vote 2, votes 3, ref/left/right paths 4–6) when a name is absent.
/// </summary>
public static class NightsReader
{
    /// <summary>
    /// The split of generated (procedural) 2AFC rows, such as the portal's demo benchmark: not NIGHTS' data, so never named
    /// test_imagenet / test_no_imagenet. Its rows keep "procedural" as their split.
    /// </summary>
    public const string ProceduralSplit = "procedural";
    public static readonly string[] Splits = ["train", "val", "test", "test_imagenet", "test_no_imagenet", ProceduralSplit];
    public const int MinVotes = 6;

    /// <param name="split">train, val, test_imagenet, test_no_imagenet, test (their union), or procedural (generated rows).</param>
    public static TwoAfcDatasetLoad Load(string root, string split = "test")
    {
        if (!Splits.Contains(split)) throw new ArgumentException($"unknown NIGHTS split '{split}' (use {string.Join(", ", Splits)})");
        root = ResolveRoot(root);
        var csvPath = Path.Combine(root, "data.csv");
        var csv = CsvTable.Read(csvPath);

        int Col(string name, int position)
        {
            var c = csv.Column(name);
            if (c >= 0) return c;
            if (position >= 0 && position < csv.Header.Count) return position;
            throw new FormatException($"{csvPath}: no column '{name}'");
        }
        int cId = Col("id", 0), cRight = Col("right_vote", 2), cVotes = Col("votes", 3);
        int cRef = Col("ref_path", 4), cLeft = Col("left_path", 5), cRightPath = Col("right_path", 6);
        int cSplit = csv.Column("split"), cImagenet = csv.Column("is_imagenet");
        if (cSplit < 0) throw new FormatException($"{csvPath}: no column 'split'");
        if (cImagenet < 0 && split is "test" or "test_imagenet" or "test_no_imagenet")
            throw new FormatException($"{csvPath}: no column 'is_imagenet' (needed for the test splits)");

        var items = new List<TwoAfcItem>();
        var bad = new List<BadItem>();
        var seen = new HashSet<string>();
        foreach (var (line, f) in csv.Rows)
        {
            string Field(int c) => c < f.Length ? f[c].Trim() : "";
            var id = Field(cId);
            if (id.Length == 0) id = "line" + line;
            var where = $"{csvPath}:{line}";
            if (!TryNumber(Field(cVotes), out var votes)) { bad.Add(new BadItem(id, where, $"votes '{Field(cVotes)}' is not a number")); continue; }
            if (votes < MinVotes) continue;

            var rowSplit = Field(cSplit).ToLowerInvariant();
            string itemSplit;
            if (rowSplit == "test")
            {
                if (!TryBool(Field(cImagenet), out var isImagenet)) { bad.Add(new BadItem(id, where, $"is_imagenet '{Field(cImagenet)}' is not a boolean")); continue; }
                itemSplit = isImagenet ? "test_imagenet" : "test_no_imagenet";
            }
            else itemSplit = rowSplit;
            bool wanted = split == "test" ? rowSplit == "test" : itemSplit == split;
            if (!wanted) continue;

            if (!TryNumber(Field(cRight), out var p) || p < 0 || p > 1) { bad.Add(new BadItem(id, where, $"right_vote '{Field(cRight)}' is not a number in [0,1]")); continue; }
            if (!seen.Add(id)) { bad.Add(new BadItem(id, where, "duplicate id")); continue; }

            var paths = new[] { Field(cRef), Field(cLeft), Field(cRightPath) }.Select(r => Path.GetFullPath(Path.Combine(root, r))).ToArray();
            var problems = paths.Select(ImageFileCheck.Problem).ToArray();
            if (problems.Any(pr => pr != null))
            {
                for (int k = 0; k < 3; k++) if (problems[k] != null) bad.Add(new BadItem(id, paths[k], problems[k]!));
                continue;
            }
            items.Add(new TwoAfcItem(id, itemSplit, paths[0], paths[1], paths[2], (float)p));
        }
        return new TwoAfcDatasetLoad("nights", "nights", split, items, bad);
    }

    /// <summary>Accepts the nights/ folder itself or a folder that contains it.</summary>
    public static string ResolveRoot(string root)
    {
        if (File.Exists(Path.Combine(root, "data.csv"))) return Path.GetFullPath(root);
        var inner = Path.Combine(root, "nights");
        if (File.Exists(Path.Combine(inner, "data.csv"))) return Path.GetFullPath(inner);
        throw new FileNotFoundException($"not a NIGHTS folder: {Path.Combine(root, "data.csv")} not found");
    }

    public static bool LooksLike(string root) =>
        File.Exists(Path.Combine(root, "data.csv")) || File.Exists(Path.Combine(root, "nights", "data.csv"));

    private static bool TryNumber(string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v);

    private static bool TryBool(string s, out bool v)
    {
        switch (s.ToLowerInvariant())
        {
            case "true" or "1" or "1.0" or "yes": v = true; return true;
            case "false" or "0" or "0.0" or "no": v = false; return true;
            default: v = false; return false;
        }
    }
}
