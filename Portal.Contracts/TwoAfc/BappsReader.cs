using Portal.Engine.Encoders;
using Portal.Engine.Datasets;

namespace Portal.Engine.TwoAfc;

/// <summary>
/// BAPPS 2AFC as LPIPS distributes it: 2afc/val/&lt;split&gt;/{ref,p0,p1,judge}/NNNNNN.{png,npy}. judge holds the
/// fraction of raters who chose p1 as closer. Items carry that fraction as their label (hard accuracy scores against
/// the majority, judge &gt; 0.5, as the paper's `bapps-bin` does; the LPIPS 2AFC score uses the fraction itself) and a
/// recipe that upsamples the 64×64 images to 224×224 bilinearly, ignoring the model's own preprocessing, as the
/// paper's code does. Triplets pair ref/p0/p1/judge files by name (for a complete dataset this is the same as
/// LPIPS' pairing of independently sorted lists); an unmatched or unreadable file is reported by path.
/// </summary>
public static class BappsReader
{
    public static readonly string[] ValSplits = ["traditional", "cnn", "superres", "deblur", "color", "frameinterp"];
    /// <summary>Names that select every val split present.</summary>
    public static readonly string[] AllNames = ["all", "test", "val"];

    /// <summary>The paper's input recipe for BAPPS: torchvision Resize(224) (PIL bilinear) of the 64×64 images, no crop.</summary>
    public static Preprocessing Recipe(int size = 224) =>
        new(size, size, size, ResizeMode.Squash, Interpolation.Bilinear, [0f, 0f, 0f], [1f, 1f, 1f]);

    /// <param name="root">The dataset folder (containing 2afc/), the 2afc folder, or its val folder.</param>
    /// <param name="split">One of the six val splits, or all/test/val for every split present.</param>
    public static TwoAfcDatasetLoad Load(string root, string split = "all", int imageSize = 224)
    {
        var val = ResolveValFolder(root);
        List<string> splits;
        if (AllNames.Contains(split))
        {
            splits = Directory.EnumerateDirectories(val).Select(Path.GetFileName).Where(n => ValSplits.Contains(n)).Select(n => n!).Order(StringComparer.Ordinal).ToList();
            if (splits.Count == 0) throw new DirectoryNotFoundException($"{val}: none of the BAPPS splits ({string.Join(", ", ValSplits)}) is present");
        }
        else if (ValSplits.Contains(split) || Directory.Exists(Path.Combine(val, split)))
        {
            if (!Directory.Exists(Path.Combine(val, split))) throw new DirectoryNotFoundException($"BAPPS split folder not found: {Path.Combine(val, split)}");
            splits = [split];
        }
        else throw new ArgumentException($"unknown BAPPS split '{split}' (use {string.Join(", ", ValSplits)} or all)");

        var recipe = Recipe(imageSize);
        var items = new List<TwoAfcItem>();
        var bad = new List<BadItem>();
        foreach (var s in splits) ReadSplit(Path.Combine(val, s), s, recipe, items, bad);
        return new TwoAfcDatasetLoad("bapps", "bapps", split, items, bad);
    }

    private static void ReadSplit(string dir, string split, Preprocessing recipe, List<TwoAfcItem> items, List<BadItem> bad)
    {
        string[] parts = ["ref", "p0", "p1", "judge"];
        foreach (var p in parts)
            if (!Directory.Exists(Path.Combine(dir, p))) throw new DirectoryNotFoundException($"BAPPS split {split}: folder {Path.Combine(dir, p)} not found");

        // stem (path relative to the part folder, without extension) → file, per part
        var files = parts.ToDictionary(p => p, p =>
        {
            var folder = Path.Combine(dir, p);
            return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => p == "judge" ? f.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) : Images.ImageFiles.IsImageFile(f))
                .GroupBy(f => Stem(folder, f))
                .ToDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).First());
        });
        var stems = files.Values.SelectMany(d => d.Keys).Distinct().Order(StringComparer.Ordinal);
        foreach (var stem in stems)
        {
            var id = split + "/" + stem;
            var missing = parts.Where(p => !files[p].ContainsKey(stem)).ToList();
            if (missing.Count > 0)
            {
                foreach (var m in missing)
                    bad.Add(new BadItem(id, Path.Combine(dir, m, stem + (m == "judge" ? ".npy" : ".png")), $"missing (the triplet's other files exist)"));
                continue;
            }
            string r = files["ref"][stem], a = files["p0"][stem], b = files["p1"][stem], j = files["judge"][stem];
            var problems = new[] { (r, ImageFileCheck.Problem(r)), (a, ImageFileCheck.Problem(a)), (b, ImageFileCheck.Problem(b)) }.Where(t => t.Item2 != null).ToList();
            string? judgeProblem = null;
            double judge = 0;
            try
            {
                var arr = NpyFile.Read(j);
                if (arr.Values.Length != 1) judgeProblem = $"expected one value, found {arr.Values.Length}";
                else if (!(arr.Values[0] >= 0 && arr.Values[0] <= 1)) judgeProblem = $"judge {arr.Values[0]} outside [0,1]";
                else judge = arr.Values[0];
            }
            catch (Exception e) when (e is FormatException or IOException or OverflowException) { judgeProblem = e.Message; }
            if (judgeProblem != null) problems.Add((j, judgeProblem));
            if (problems.Count > 0)
            {
                foreach (var (path, why) in problems) bad.Add(new BadItem(id, path, why!));
                continue;
            }
            items.Add(new TwoAfcItem(id, split, r, a, b, (float)judge) { Recipe = recipe, FractionalLabel = true });
        }
    }

    private static string Stem(string folder, string file)
    {
        var rel = Path.GetRelativePath(folder, file);
        return Path.ChangeExtension(rel, null)!.Replace('\\', '/');
    }

    public static string ResolveValFolder(string root)
    {
        foreach (var c in new[] { Path.Combine(root, "2afc", "val"), Path.Combine(root, "val"), root })
            if (Directory.Exists(c) && Directory.EnumerateDirectories(c).Any(d => ValSplits.Contains(Path.GetFileName(d))))
                return Path.GetFullPath(c);
        throw new DirectoryNotFoundException($"not a BAPPS folder: expected {Path.Combine(root, "2afc", "val")}/<split>/{{ref,p0,p1,judge}} with split in {string.Join(", ", ValSplits)}");
    }

    public static bool LooksLike(string root)
    {
        try { ResolveValFolder(root); return true; } catch (DirectoryNotFoundException) { return false; }
    }
}
