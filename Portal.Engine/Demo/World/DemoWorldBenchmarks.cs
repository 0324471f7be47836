using System.Globalization;
using System.Text;
using Portal.Engine.Images;

namespace Portal.Engine.Demo.World;

/// <summary>
/// The demo world's 2AFC benchmark (a seed disjoint from the training seeds), written as files; its retrieval and
/// detection benchmarks are <see cref="DemoTaskData"/>'s (the same writer as the portal's first start):
/// <list type="bullet">
/// <item><c>2afc/</c>: NIGHTS layout (data.csv, ref/, distort/), rows in the split "procedural" (not NIGHTS' test splits:
/// evaluate with <c>--split procedural</c>); each reference is a world scene, one distortion is
/// milder by construction (same distortions as <see cref="DemoTwoAfcGenerator"/>), so labels are known.</item>
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

    private static void Write(string root, string rel, float[] img)
    {
        var path = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ImageFiles.EncodePng(DemoImages.ToRgbBytes(img), DemoWorld.ImageSize, DemoWorld.ImageSize));
    }
}
