using SkiaSharp;

namespace Portal.Engine.Images;

/// <summary>Decoded RGB bytes, row-major H×W×3.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels);

/// <summary>
/// Image files without tensors: decoding to RGB bytes, PNG encoding and the accepted extensions. SkiaSharp decodes to
/// premultiplied BGRA on Linux, so every image is drawn into an unpremultiplied RGBA bitmap before its bytes are read;
/// no colour management is applied. The engine's <c>ImageIO</c> turns these bytes into tensors.
/// </summary>
public static class ImageFiles
{
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
