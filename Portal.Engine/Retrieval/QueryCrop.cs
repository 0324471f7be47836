using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Retrieval;

/// <summary>
/// Crops a revisitop query to its bounding box exactly as <c>PIL.Image.crop(bbx)</c> does (revisitop's
/// example_process_images.py): each coordinate is rounded with Python's round (half to even), the box is
/// [x1, x2) × [y1, y2), and any part outside the image is filled with black.
/// </summary>
public static class QueryCrop
{
    public static (int X0, int Y0, int X1, int Y1) PixelBox(IReadOnlyList<double> bbx) =>
        (R(bbx[0]), R(bbx[1]), R(bbx[2]), R(bbx[3]));

    private static int R(double v) => (int)Math.Round(v, MidpointRounding.ToEven);

    /// <summary>3×H×W image → 3×(y1−y0)×(x1−x0).</summary>
    public static Tensor Apply(Tensor chw, IReadOnlyList<double> bbx)
    {
        var (x0, y0, x1, y1) = PixelBox(bbx);
        if (x1 <= x0 || y1 <= y0) throw new ArgumentException($"empty crop box [{string.Join(", ", bbx)}]");
        using var scope = torch.NewDisposeScope();
        long h = chw.shape[1], w = chw.shape[2];
        var outp = torch.zeros(chw.shape[0], y1 - y0, x1 - x0, chw.dtype, chw.device);
        int sx0 = Math.Max(x0, 0), sy0 = Math.Max(y0, 0), sx1 = (int)Math.Min(x1, w), sy1 = (int)Math.Min(y1, h);
        if (sx1 > sx0 && sy1 > sy0)
            outp[.., TensorIndex.Slice(sy0 - y0, sy1 - y0), TensorIndex.Slice(sx0 - x0, sx1 - x0)] =
                chw[.., TensorIndex.Slice(sy0, sy1), TensorIndex.Slice(sx0, sx1)];
        return outp.MoveToOuterDisposeScope();
    }
}
