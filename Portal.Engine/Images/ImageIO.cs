using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Images;

/// <summary>
/// Decodes images to float32 CHW tensors in [0,1] (value = byte / 255, as torchvision's ToTensor) and writes PNGs;
/// the byte-level decoding and encoding is <see cref="ImageFiles"/>.
/// </summary>
public static class ImageIO
{
    public static RgbImage DecodeRgb(string path) => ImageFiles.DecodeRgb(path);
    public static RgbImage DecodeRgb(byte[] data, string name) => ImageFiles.DecodeRgb(data, name);

    /// <summary>3×H×W float32 in [0,1] on CPU.</summary>
    public static Tensor ToTensor(RgbImage img)
    {
        using var scope = torch.NewDisposeScope();
        var bytes = torch.tensor(img.Pixels, ScalarType.Byte).reshape(img.Height, img.Width, 3).permute(2, 0, 1);
        // A float32 division, exactly as ToTensor does (multiplying by 1/255 differs by an ulp for half the values).
        return bytes.to_type(ScalarType.Float32).div(255f).contiguous().MoveToOuterDisposeScope();
    }

    public static Tensor Load(string path) => ToTensor(DecodeRgb(path));

    /// <summary>Writes a 3×H×W tensor in [0,1] as an 8-bit RGB PNG (rounded, clamped).</summary>
    public static void SavePng(Tensor chw, string path)
    {
        byte[] rgb;
        int h = (int)chw.shape[1], w = (int)chw.shape[2];
        using (var scope = torch.NewDisposeScope())
        {
            var b = chw.detach().cpu().to_type(ScalarType.Float32).clamp(0, 1).mul(255f).round().to_type(ScalarType.Byte).permute(1, 2, 0).contiguous();
            rgb = b.bytes.ToArray();
        }
        File.WriteAllBytes(path, EncodePng(rgb, w, h));
    }

    public static byte[] EncodePng(byte[] rgb, int width, int height) => ImageFiles.EncodePng(rgb, width, height);

    public static IReadOnlyList<string> Extensions => ImageFiles.Extensions;

    public static bool IsImageFile(string path) => ImageFiles.IsImageFile(path);
}
