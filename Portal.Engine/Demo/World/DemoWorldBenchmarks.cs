using System.Globalization;
using System.Text;
using Portal.Engine.Images;

namespace Portal.Engine.Demo.World;

/// <summary>
/// Benchmarks drawn from the demo world (a seed disjoint from the training seeds), written as files:
/// <list type="bullet">
/// <item><c>2afc/</c>: NIGHTS layout (data.csv, ref/, distort/), rows in the split "procedural" (not NIGHTS' test splits:
/// evaluate with <c>--split procedural</c>); each reference is a world scene, one distortion is
/// milder by construction (same distortions as <see cref="DemoTwoAfcGenerator"/>), so labels are known.</item>
/// <item><c>retrieval/gallery/&lt;class&gt;/*.png</c> and <c>retrieval/queries/&lt;class&gt;/*.png</c>: a query's
/// relevant gallery images are those of its class.</item>
/// <item><c>detection/hazard/*.png</c> and <c>detection/clear/*.png</c>: scenes with and without the hazard sign.</item>
/// </list>
/// </summary>
public static class DemoWorldBenchmarks
{
    public const ulong DefaultSeed = 0xBE4C4;

    public static void WriteTwoAfc(string root, int count, ulong seed = DefaultSeed)
    {
        var csv = new StringBuilder("id,left_vote,right_vote,votes,ref_path,left_path,right_path,split,is_imagenet,prompt\n");
        int n = DemoWorld.ImageSize;
        for (int i = 0; i < count; i++)
        {
            var rng = new SplitMix64(Training.TrainingOrder.Mix(seed, 0x2AFC, (ulong)i));
            var scene = DemoWorld.Image(seed, i);
            var (mild, strong, kind) = DemoTwoAfcGenerator.Pair(scene, n, i % 4, ref rng);
            bool mildOnRight = rng.NextDouble() < 0.5;
            var name = i.ToString("0000", CultureInfo.InvariantCulture);
            string refRel = $"ref/{name}.png", leftRel = $"distort/{name}_0.png", rightRel = $"distort/{name}_1.png";
            Write(root, refRel, scene);
            Write(root, leftRel, mildOnRight ? strong : mild);
            Write(root, rightRel, mildOnRight ? mild : strong);
            int right = mildOnRight ? 1 : 0;
            csv.Append(CultureInfo.InvariantCulture, $"{i},{1 - right},{right},6,{refRel},{leftRel},{rightRel},{TwoAfc.NightsReader.ProceduralSplit},False,{WorldClasses.Names[DemoWorld.ClassOf(i)]}: {kind}\n");
        }
        File.WriteAllText(Path.Combine(root, "data.csv"), csv.ToString());
    }

    public static void WriteRetrieval(string root, int perClassGallery, int perClassQueries, ulong seed = DefaultSeed)
    {
        int k = WorldClasses.Count;
        long baseIndex = 1_000_000;
        for (int i = 0; i < (perClassGallery + perClassQueries) * k; i++)
        {
            long index = baseIndex + i;
            int cls = DemoWorld.ClassOf(index);
            int nth = i / k;
            var part = nth < perClassGallery ? "gallery" : "queries";
            Write(root, $"{part}/{WorldClasses.Names[cls]}/{index}.png", DemoWorld.Image(seed, index));
        }
    }

    public static void WriteDetection(string root, int perSide, ulong seed = DefaultSeed)
    {
        int hazards = 0, clear = 0;
        for (long index = 2_000_000; hazards < perSide || clear < perSide; index++)
        {
            bool isHazard = DemoWorld.ClassOf(index) == WorldClasses.Hazard;
            if (isHazard && hazards < perSide) { Write(root, $"hazard/{index}.png", DemoWorld.Image(seed, index)); hazards++; }
            else if (!isHazard && clear < perSide) { Write(root, $"clear/{index}.png", DemoWorld.Image(seed, index)); clear++; }
        }
    }

    private static void Write(string root, string rel, float[] img)
    {
        var path = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ImageFiles.EncodePng(DemoImages.ToRgbBytes(img), DemoWorld.ImageSize, DemoWorld.ImageSize));
    }
}
