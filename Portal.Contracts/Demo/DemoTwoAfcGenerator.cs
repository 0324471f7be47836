using System.Globalization;
using System.Text;
using System.Text.Json;
using Portal.Engine.Datasets;
using Portal.Engine.TwoAfc;
using Portal.Engine.Images;

namespace Portal.Engine.Demo;

/// <summary>
/// Writes a small deterministic 2AFC benchmark in the NIGHTS layout (ref/, distort/, data.csv) whose "human" label is
/// known by construction: each triplet has one distortion of the reference that is milder by design and one that is
/// stronger. Half the triplets use the same distortion at two strengths (noise, brightness, occlusion), a quarter pit
/// a 1–2 px shift (mild for a viewer, large in pixels) against visible noise, and a quarter a small brightness change
/// against an occlusion — so pixel metrics do not score 100 %. The mild image is placed left or right at random;
/// right_vote = 1 when it is on the right, 6 votes each. Its rows are in the split <see cref="NightsReader.ProceduralSplit"/>
/// ("procedural", is_imagenet False): they are neither NIGHTS' test_imagenet nor its test_no_imagenet, and a board must not
/// say so. <see cref="DemoSpec.NightsSplits"/> writes NIGHTS' own test rows (alternating is_imagenet) instead, for tests of
/// the NIGHTS reading itself.
/// </summary>
public static class DemoTwoAfcGenerator
{
    public const int GeneratorVersion = 1;
    public const string ManifestFile = "demo-manifest.json";

    /// <param name="NightsSplits">Rows in NIGHTS' test split with alternating is_imagenet (test data for the NIGHTS reader and
    /// its sub-splits); false (the demo): every row in the honest split "procedural".</param>
    public sealed record DemoSpec(int Count = 300, int Size = 64, ulong Seed = 20240901, bool NightsSplits = false)
    {
        /// <summary>The split to register the folder with: "procedural", or NIGHTS' "test".</summary>
        public string Split => NightsSplits ? "test" : NightsReader.ProceduralSplit;
    }

    /// <summary>Generates into <paramref name="root"/> unless a manifest there says the same spec is already complete.</summary>
    public static void EnsureGenerated(string root, DemoSpec spec)
    {
        var manifestPath = Path.Combine(root, ManifestFile);
        var manifest = JsonSerializer.Serialize(new { generator = GeneratorVersion, spec.Count, spec.Size, spec.Seed, split = spec.Split });
        if (File.Exists(manifestPath) && File.ReadAllText(manifestPath) == manifest) return;
        Generate(root, spec);
        // Written last: a half-written folder (process killed) is regenerated on the next start.
        File.WriteAllText(manifestPath, manifest);
    }

    public static void Generate(string root, DemoSpec spec)
    {
        var rng = new SplitMix64(spec.Seed);
        var csv = new StringBuilder("id,left_vote,right_vote,votes,ref_path,left_path,right_path,split,is_imagenet,prompt\n");
        int n = spec.Size;
        for (int i = 0; i < spec.Count; i++)
        {
            var scene = DemoImages.Scene(ref rng, n);
            var (mild, strong, kind) = Pair(scene, n, i % 4, ref rng);
            bool mildOnRight = rng.NextDouble() < 0.5;
            var group = (i / 100).ToString("000", CultureInfo.InvariantCulture);
            var name = i.ToString("000", CultureInfo.InvariantCulture);
            string refRel = $"ref/{group}/{name}.png", leftRel = $"distort/{group}/{name}_0.png", rightRel = $"distort/{group}/{name}_1.png";
            Write(root, refRel, scene, n);
            Write(root, leftRel, mildOnRight ? strong : mild, n);
            Write(root, rightRel, mildOnRight ? mild : strong, n);
            int right = mildOnRight ? 1 : 0;
            csv.Append(CultureInfo.InvariantCulture,
                $"{i},{1 - right},{right},6,{refRel},{leftRel},{rightRel},{spec.Split},{(spec.NightsSplits && i % 2 == 0 ? "True" : "False")},{kind}\n");
        }
        File.WriteAllText(Path.Combine(root, "data.csv"), csv.ToString());
    }

    internal static (float[] Mild, float[] Strong, string Kind) Pair(float[] s, int n, int slot, ref SplitMix64 rng)
    {
        switch (slot)
        {
            case 0:
                {
                    // Same kind, two strengths: noise.
                    double lo = rng.Range(0.02, 0.06), hi = rng.Range(0.12, 0.2);
                    return (DemoImages.Noise(s, lo, ref rng), DemoImages.Noise(s, hi, ref rng), "noise strengths");
                }
            case 1:
                {
                    // Same kind, two strengths: brightness or occlusion.
                    if (rng.NextDouble() < 0.5)
                    {
                        double sign = rng.NextDouble() < 0.5 ? -1 : 1;
                        return (DemoImages.Brightness(s, sign * rng.Range(0.02, 0.06)), DemoImages.Brightness(s, sign * rng.Range(0.15, 0.3)), "brightness strengths");
                    }
                    return (DemoImages.Occlude(s, n, rng.Range(0.01, 0.03), ref rng), DemoImages.Occlude(s, n, rng.Range(0.12, 0.25), ref rng), "occlusion sizes");
                }
            case 2:
                {
                    // A small shift is perceptually milder than visible noise.
                    int dx = 1 + rng.NextInt(2), dy = rng.NextInt(2);
                    return (DemoImages.Shift(s, n, dx, dy), DemoImages.Noise(s, rng.Range(0.08, 0.14), ref rng), "shift vs noise");
                }
            default:
                {
                    // A small global brightness change is milder than hiding part of the scene.
                    return (DemoImages.Brightness(s, rng.Range(0.04, 0.09)), DemoImages.Occlude(s, n, rng.Range(0.04, 0.1), ref rng), "brightness vs occlusion");
                }
        }
    }

    private static void Write(string root, string rel, float[] img, int size)
    {
        var path = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ImageFiles.EncodePng(DemoImages.ToRgbBytes(img), size, size));
    }
}
