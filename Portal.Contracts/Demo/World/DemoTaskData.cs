using System.Globalization;
using Portal.Engine.Images;
using Portal.Engine.Retrieval;
using SkiaSharp;

namespace Portal.Engine.Demo.World;

/// <summary>
/// Small retrieval and detection benchmarks drawn from the demo world (64×64 scenes, one object class each), written in
/// the layouts the engine reads (`portal eval retrieval|detection`) and the portal registers: the one writer of both,
/// used by the portal's first start and by `portal demo data`. A fresh portal shows their results within a minute on a CPU.
/// <list type="bullet">
/// <item>Retrieval (<c>rworld</c>, revisitop layout): <c>jpg/*.jpg</c> + <c>gnd_rworld.pkl</c>. Per class: plain
/// scenes = easy positives, shifted/darkened/noisy scenes = hard positives, mostly occluded scenes = junk; one query per
/// class with a whole-image box.</item>
/// <item>Detection: <c>pools|queries|targets/{safe,buffer,unsafe}</c>; unsafe = hazard signs, buffer = plain
/// triangles (the look-alike), safe = every other class.</item>
/// </list>
/// Images are pure functions of (seed, index), from index ranges disjoint from training and the other demo sets.
/// </summary>
public static class DemoTaskData
{
    public const ulong Seed = 0xDE70_2E7;
    public const int Easy = 3, Hard = 2, Junk = 1, QueriesPerClass = 1;
    public const int PoolPerClass = 6, QueriesPerDetectionClass = 3, TargetsPerClass = 4;

    /// <param name="queriesPerClass">Queries per class (the portal's demo: <see cref="QueriesPerClass"/>).</param>
    public static void WriteRetrieval(string root, int queriesPerClass = QueriesPerClass)
    {
        if (File.Exists(Path.Combine(root, "gnd_rworld.pkl"))) return;
        int k = WorldClasses.Count;
        var imlist = new List<string>();
        var labels = new List<(int Class, string Kind)>();
        long index = 4_000_000 - 4_000_000 % k;
        for (int cls = 0; cls < k; cls++)
            for (int j = 0; j < Easy + Hard + Junk; j++)
            {
                // Index congruent to the class, so the scene holds an object of that class.
                long i = index + (long)j * k + cls;
                var img = WorldImages.Image(Seed, i);
                var rng = new Random((int)(i % int.MaxValue));
                string kind = j < Easy ? "easy" : j < Easy + Hard ? "hard" : "junk";
                if (kind == "hard") img = Noise(Darken(Shift(img, 6, 4), 0.65), 0.06, rng);
                if (kind == "junk") img = Occlude(img, 0.7);
                var name = $"db_{WorldClasses.Names[cls]}_{j.ToString("00", CultureInfo.InvariantCulture)}";
                WriteJpeg(Path.Combine(root, "jpg", name + ".jpg"), img);
                imlist.Add(name);
                labels.Add((cls, kind));
            }
        var qimlist = new List<string>();
        var gnd = new List<object>();
        index = 4_100_000 - 4_100_000 % k;
        for (int cls = 0; cls < k; cls++)
            for (int q = 0; q < queriesPerClass; q++)
            {
                long i = index + (long)q * k + cls;
                var name = $"query_{WorldClasses.Names[cls]}_{q.ToString("00", CultureInfo.InvariantCulture)}";
                WriteJpeg(Path.Combine(root, "jpg", name + ".jpg"), WorldImages.Image(Seed, i));
                qimlist.Add(name);
                List<int> Of(string kind) => labels.Select((l, n) => (l, n)).Where(p => p.l.Class == cls && p.l.Kind == kind).Select(p => p.n).ToList();
                gnd.Add(new Dictionary<string, object>
                {
                    ["bbx"] = new List<double> { 0, 0, WorldImages.ImageSize, WorldImages.ImageSize },
                    ["easy"] = Of("easy"), ["hard"] = Of("hard"), ["junk"] = Of("junk"),
                });
            }
        var pkl = PlainPickle.Dumps(new Dictionary<string, object> { ["imlist"] = imlist, ["qimlist"] = qimlist, ["gnd"] = gnd });
        File.WriteAllBytes(Path.Combine(root, "gnd_rworld.pkl.tmp"), pkl);
        File.Move(Path.Combine(root, "gnd_rworld.pkl.tmp"), Path.Combine(root, "gnd_rworld.pkl"), overwrite: true);
    }

    public static string DetectionClass(int worldClass) =>
        worldClass == WorldClasses.Hazard ? "unsafe" : WorldClasses.Names[worldClass] == "triangle" ? "buffer" : "safe";

    /// <param name="poolPerClass">Pool images per class (the portal's demo: <see cref="PoolPerClass"/>).</param>
    public static void WriteDetection(string root, int poolPerClass = PoolPerClass)
    {
        var done = Path.Combine(root, ".complete");
        if (File.Exists(done)) return;
        foreach (var (section, perClass, start) in new[] { ("pools", poolPerClass, 5_000_000L), ("queries", QueriesPerDetectionClass, 5_100_000L), ("targets", TargetsPerClass, 5_200_000L) })
        {
            var counts = new Dictionary<string, int> { ["safe"] = 0, ["buffer"] = 0, ["unsafe"] = 0 };
            // Targets only for the classes attacks pull towards (safe, unsafe).
            if (section == "targets") counts.Remove("buffer");
            for (long i = start; counts.Values.Any(n => n < perClass); i++)
            {
                var cls = DetectionClass(WorldImages.ClassOf(i));
                if (!counts.TryGetValue(cls, out var n) || n >= perClass) continue;
                WritePng(Path.Combine(root, section, cls, $"{i}.png"), WorldImages.Image(Seed, i));
                counts[cls] = n + 1;
            }
        }
        File.WriteAllText(done, "");
    }

    private static float[] Shift(float[] src, int dx, int dy)
    {
        int n = WorldImages.ImageSize;
        var o = new float[src.Length];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                int sx = Math.Clamp(x - dx, 0, n - 1), sy = Math.Clamp(y - dy, 0, n - 1);
                for (int c = 0; c < 3; c++) o[(y * n + x) * 3 + c] = src[(sy * n + sx) * 3 + c];
            }
        return o;
    }

    private static float[] Darken(float[] src, double factor) => src.Select(v => (float)(v * factor)).ToArray();

    private static float[] Noise(float[] src, double sigma, Random rng) =>
        src.Select(v => (float)Math.Clamp(v + sigma * (rng.NextDouble() * 2 - 1) * 1.7, 0, 1)).ToArray();

    /// <summary>A grey block over the left part of the image (fraction of the width).</summary>
    private static float[] Occlude(float[] src, double fraction)
    {
        int n = WorldImages.ImageSize, w = (int)(n * fraction);
        var o = (float[])src.Clone();
        for (int y = 0; y < n; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) o[(y * n + x) * 3 + c] = 0.5f;
        return o;
    }

    private static void WritePng(string path, float[] img)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ImageFiles.EncodePng(WorldImages.Rgb(img), WorldImages.ImageSize, WorldImages.ImageSize));
    }

    /// <summary>Revisitop ships JPEGs; the demo does too (quality 95), re-encoded from the PNG bytes.</summary>
    private static void WriteJpeg(string path, float[] img)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bmp = SKBitmap.Decode(ImageFiles.EncodePng(WorldImages.Rgb(img), WorldImages.ImageSize, WorldImages.ImageSize));
        using var data = bmp.Encode(SKEncodedImageFormat.Jpeg, 95);
        File.WriteAllBytes(path, data.ToArray());
    }
}
