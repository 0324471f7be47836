using SkiaSharp;

namespace Portal.Engine.Datasets;

/// <summary>
/// A cheap per-file check readers run on every image they index: present, non-empty, and with a header an image
/// decoder recognises. Truncated pixel data is only found when the image is decoded; the task reports that by path too.
/// </summary>
public static class ImageFileCheck
{
    /// <returns>null when the file looks usable, else the reason.</returns>
    public static string? Problem(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return "file not found";
            if (info.Length == 0) return "empty file";
            using var codec = SKCodec.Create(path);
            return codec == null ? "not a decodable image" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "cannot read: " + e.Message;
        }
    }
}
