using System.Globalization;
using System.Text;
using Portal.Engine.Datasets;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Portal.Engine.Metric;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.TwoAfc;

/// <summary>Writes small datasets in the NIGHTS and BAPPS layouts for tests.</summary>
public static class TwoAfcTestData
{
    public sealed record NightsRow(string Id, double RightVote, double Votes, string Split, bool IsImagenet, string Prompt = "a cat, sitting");

    /// <summary>Writes ref/NNN/MMM.png, distort/NNN/MMM_{0,1}.png (random 16×16 images) and data.csv in the canonical column order.</summary>
    public static void WriteNights(string root, IEnumerable<NightsRow> rows, int seed = 0, int size = 16, Func<int, NightsRow, (byte[] Ref, byte[] Left, byte[] Right)>? pixels = null)
    {
        var rng = new Random(seed);
        var csv = new StringBuilder("id,left_vote,right_vote,votes,ref_path,left_path,right_path,split,is_imagenet,prompt\n");
        int n = 0;
        foreach (var r in rows)
        {
            var folder = (n / 1000).ToString("000");
            var name = (n % 1000).ToString("000");
            var refRel = $"ref/{folder}/{name}.png";
            var leftRel = $"distort/{folder}/{name}_0.png";
            var rightRel = $"distort/{folder}/{name}_1.png";
            var px = pixels?.Invoke(n, r) ?? (RandomRgb(rng, size), RandomRgb(rng, size), RandomRgb(rng, size));
            WritePng(Path.Combine(root, refRel), px.Ref, size);
            WritePng(Path.Combine(root, leftRel), px.Left, size);
            WritePng(Path.Combine(root, rightRel), px.Right, size);
            string F(double v) => v.ToString(CultureInfo.InvariantCulture);
            csv.Append($"{r.Id},{F(1 - r.RightVote)},{F(r.RightVote)},{F(r.Votes)},{refRel},{leftRel},{rightRel},{r.Split},{(r.IsImagenet ? "True" : "False")},\"{r.Prompt.Replace("\"", "\"\"")}\"\n");
            n++;
        }
        File.WriteAllText(Path.Combine(root, "data.csv"), csv.ToString());
    }

    /// <summary>Writes 2afc/val/&lt;split&gt;/{ref,p0,p1,judge}/NNNNNN.{png,npy} with the given judge values.</summary>
    public static void WriteBapps(string root, string split, double[] judges, int seed = 0, int size = 8)
    {
        var rng = new Random(seed);
        var dir = Path.Combine(root, "2afc", "val", split);
        for (int i = 0; i < judges.Length; i++)
        {
            var name = i.ToString("000000");
            WritePng(Path.Combine(dir, "ref", name + ".png"), RandomRgb(rng, size), size);
            WritePng(Path.Combine(dir, "p0", name + ".png"), RandomRgb(rng, size), size);
            WritePng(Path.Combine(dir, "p1", name + ".png"), RandomRgb(rng, size), size);
            Directory.CreateDirectory(Path.Combine(dir, "judge"));
            File.WriteAllBytes(Path.Combine(dir, "judge", name + ".npy"), NpyFile.Float64([judges[i]], [1]));
        }
    }

    public static byte[] RandomRgb(Random rng, int size)
    {
        var b = new byte[size * size * 3];
        rng.NextBytes(b);
        return b;
    }

    public static void WritePng(string path, byte[] rgb, int size)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ImageIO.EncodePng(rgb, size, size));
    }

    /// <summary>A truncated PNG: the header decodes, the pixel data does not.</summary>
    public static void Truncate(string path) => File.WriteAllBytes(path, File.ReadAllBytes(path)[..60]);
}

/// <summary>
/// φ(x) = W·vec(x) with dot-product similarity: the 2AFC margin is linear in the reference, so the worst case over an
/// L∞ or L2 ball (∩ [0,1]) is known in closed form.
/// </summary>
public sealed class LinearDotModel : IPerceptualModel
{
    public Tensor W { get; }
    public LinearDotModel(int inputDim, int dim, int seed)
    {
        var g = new torch.Generator((ulong)seed, CPU);
        // Scaled so similarities stay O(0.1), like cosines.
        W = torch.randn([dim, inputDim], ScalarType.Float32, CPU, generator: g) * 0.05f;
    }
    public string Name => "linear-dot";
    public Preprocessing Preprocessing => Preprocessing.Identity(8);
    public Device Device => CPU;
    public Tensor Embed(Tensor pixels) => pixels.flatten(1).matmul(W.t());
    public Tensor Similarity(Tensor a, Tensor b) => (a * b).sum(1);
    public void Dispose() => W.Dispose();
}
