using System.Security.Cryptography;

namespace Portal.Engine.Checkpoints;

public static class FileHash
{
    /// <summary>Lower-case hex sha256 of a file, streamed.</summary>
    public static string Sha256(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
