using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Images;

/// <summary>
/// Decodes images to float32 CHW tensors in [0,1] (value = byte / 255, as torchvision's ToTensor) and writes PNGs.
/// SkiaSharp decodes to premultiplied BGRA on Linux, so every image is drawn into an unpremultiplied RGBA
/// bitmap before its bytes are read; no colour management is applied.
/// </summary>
public static class ImageIO
{
    /// <summary>Decoded RGB bytes, row-major H×W×3.</summary>
    public sealed record RgbImage(int Width, int Height, byte[] Pixels);

    public static RgbImage DecodeRgb(string path)
    {
        if (!File.Exists(path)) throw new ImageDecodeException($"image not found: {path}");
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (IOException e) { throw new ImageDecodeException($"cannot read image {path}: {e.Message}", e); }
        return DecodeRgb(data, path);
    }

    public static RgbImage DecodeRgb(byte[] data, string name)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(data));
        if (codec == null) throw new ImageDecodeException($"not a decodable image: {name}");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bmp = new SKBitmap(info);
        var result = codec.GetPixels(info, bmp.GetPixels());
        if (result != SKCodecResult.Success)
            throw new ImageDecodeException($"corrupt or truncated image {name} ({result})");
        var rgba = bmp.GetPixelSpan();
        var rgb = new byte[info.Width * info.Height * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }
        return new RgbImage(info.Width, info.Height, rgb);
    }

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

    public static byte[] EncodePng(byte[] rgb, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bmp = new SKBitmap(info);
        var px = bmp.GetPixelSpan();
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            px[j] = rgb[i];
            px[j + 1] = rgb[i + 1];
            px[j + 2] = rgb[i + 2];
            px[j + 3] = 255;
        }
        using var image = SKImage.FromBitmap(bmp);
        using var enc = image.Encode(SKEncodedImageFormat.Png, 100);
        return enc.ToArray();
    }

    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif"];

    public static bool IsImageFile(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());
}
