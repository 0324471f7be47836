using Portal.Engine.Encoders;
using Portal.Engine.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Retrieval;

/// <summary>An image of a retrieval or detection set: a stable id (relative name), its file and an optional crop box.</summary>
public sealed record RetrievalImage(string Id, string Path, double[]? Crop = null);

/// <summary>Files → model input: decode, crop (revisitop queries), then the model's resize/crop recipe.</summary>
public static class RetrievalImages
{
    /// <summary>1×3×H×W in [0,1] at the recipe's size, on the CPU.</summary>
    public static Tensor Prepare(RetrievalImage image, Preprocessing recipe)
    {
        using var scope = torch.NewDisposeScope();
        var chw = ImageIO.Load(image.Path);
        if (image.Crop is { } box) chw = QueryCrop.Apply(chw, box);
        return Resize.Apply(chw.unsqueeze(0), recipe).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>A batch stacked along dim 0; every image must come out at one size (all recipes except None).</summary>
    public static Tensor PrepareBatch(IReadOnlyList<RetrievalImage> images, Preprocessing recipe)
    {
        using var scope = torch.NewDisposeScope();
        var list = images.Select(i => Prepare(i, recipe)).ToList();
        if (list.Select(t => (t.shape[2], t.shape[3])).Distinct().Count() > 1)
            throw new ArgumentException($"images of a batch come out at different sizes under the '{recipe.Mode}' recipe; use batch size 1");
        return torch.cat(list, 0).MoveToOuterDisposeScope();
    }

    /// <summary>A thumbnail that fits in size×size (aspect kept), for evidence pages.</summary>
    public static Tensor Thumbnail(RetrievalImage image, int size = 256)
    {
        using var scope = torch.NewDisposeScope();
        var chw = ImageIO.Load(image.Path);
        if (image.Crop is { } box) chw = QueryCrop.Apply(chw, box);
        long h = chw.shape[1], w = chw.shape[2];
        double s = Math.Min(1.0, (double)size / Math.Max(h, w));
        var t = s < 1 ? Resize.Interpolate(chw.unsqueeze(0), Math.Max(1, (long)Math.Round(h * s)), Math.Max(1, (long)Math.Round(w * s)), Interpolation.Bilinear)[0] : chw;
        return t.MoveToOuterDisposeScope();
    }

    /// <summary>Image files directly in a folder, sorted by name (ordinal), ids = file names.</summary>
    public static List<RetrievalImage> Folder(string dir, string? idPrefix = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"folder not found: {dir}");
        return Directory.EnumerateFiles(dir).Where(ImageIO.IsImageFile).OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new RetrievalImage((idPrefix ?? "") + System.IO.Path.GetFileName(f), f)).ToList();
    }
}
