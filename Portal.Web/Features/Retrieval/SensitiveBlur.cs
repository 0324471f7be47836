using SkiaSharp;

namespace Portal.Web.Features.Retrieval;

/// <summary>
/// The blurred stand-in for a sensitive image: shrunk to at most 8 pixels on its long side, then drawn back at full size
/// through a strong Gaussian blur. Only coarse colour survives; the original bytes never leave the server.
/// </summary>
public static class SensitiveBlur
{
    public const int CoarseSize = 8;

    /// <summary>
    /// THE blur policy of every viewer and gallery: an image showing something of a sensitive class (a query, its
    /// adversarial version, a neighbour, a gallery original or its reconstruction) is blurred wherever it appears; the
    /// perturbation (the amplified δ, which shows noise, not the scene, and is what the viewer exists to show) never is.
    /// The server (which blurs the bytes) and every image tile ask this method, nothing else.
    /// </summary>
    public static bool ShouldBlur(ImageRole role, bool ofSensitiveClass) => ofSensitiveClass && role != ImageRole.Perturbation;

    public static byte[] Blur(string path)
    {
        using var src = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path}: not a decodable image");
        int w = src.Width, h = src.Height;
        double s = (double)CoarseSize / Math.Max(w, h);
        using var small = src.Resize(new SKImageInfo(Math.Max(1, (int)Math.Round(w * s)), Math.Max(1, (int)Math.Round(h * s))), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None))
            ?? throw new InvalidDataException($"{path}: could not resize");
        using var surface = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Gray);
        float sigma = Math.Max(w, h) / 10f;
        using var filter = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { ImageFilter = filter };
        using var img = SKImage.FromBitmap(small);
        canvas.DrawImage(img, new SKRect(0, 0, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}

/// <summary>What an image in a viewer or gallery is, for <see cref="SensitiveBlur.ShouldBlur"/>.</summary>
public enum ImageRole { Query, Adversarial, Perturbation, Neighbour, GalleryOriginal, Reconstruction }
