using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Images;

/// <summary>
/// Differentiable resize and centre crop on N×3×H×W [0,1] tensors, following torchvision's tensor transforms
/// (antialiased bicubic/bilinear, shorter side to the target, crop offsets rounded as CenterCrop does).
/// Because these are tensor ops, an attack can perturb pixels before or after them.
/// </summary>
public static class Resize
{
    public static Tensor Apply(Tensor x, Preprocessing p)
    {
        long h = x.shape[2], w = x.shape[3];
        switch (p.Mode)
        {
            case ResizeMode.None:
                return x.alias();
            case ResizeMode.Squash:
                return (h == p.ImageHeight && w == p.ImageWidth) ? x.alias() : Interpolate(x, p.ImageHeight, p.ImageWidth, p.Interpolation);
            case ResizeMode.ShorterSideCrop:
                {
                    using var scope = torch.NewDisposeScope();
                    long nh, nw;
                    if (h <= w) { nh = p.ResizeTo; nw = (long)(p.ResizeTo * (double)w / h); }
                    else { nw = p.ResizeTo; nh = (long)(p.ResizeTo * (double)h / w); }
                    var r = (nh == h && nw == w) ? x.alias() : Interpolate(x, nh, nw, p.Interpolation);
                    return CenterCrop(r, p.ImageHeight, p.ImageWidth).MoveToOuterDisposeScope();
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(p));
        }
    }

    public static Tensor Interpolate(Tensor x, long h, long w, Interpolation mode)
    {
        using var scope = torch.NewDisposeScope();
        var m = mode == Interpolation.Bicubic ? InterpolationMode.Bicubic : InterpolationMode.Bilinear;
        var y = nn.functional.interpolate(x, [h, w], mode: m, align_corners: false, antialias: true);
        // Bicubic overshoots; images stay in [0,1] as torchvision's PIL path guarantees.
        return y.clamp(0, 1).MoveToOuterDisposeScope();
    }

    public static Tensor CenterCrop(Tensor x, long ch, long cw)
    {
        long h = x.shape[2], w = x.shape[3];
        if (ch > h || cw > w)
        {
            // torchvision pads with zeros when the crop is larger than the image.
            using var scope = torch.NewDisposeScope();
            long pt = (ch - h) / 2, pl = (cw - w) / 2;
            var padded = nn.functional.pad(x, [Math.Max(pl, 0), Math.Max(cw - w - pl, 0), Math.Max(pt, 0), Math.Max(ch - h - pt, 0)]);
            return CenterCrop(padded, ch, cw).MoveToOuterDisposeScope();
        }
        long top = (long)Math.Round((h - ch) / 2.0, MidpointRounding.ToEven);
        long left = (long)Math.Round((w - cw) / 2.0, MidpointRounding.ToEven);
        return x[.., .., TensorIndex.Slice(top, top + ch), TensorIndex.Slice(left, left + cw)];
    }
}
