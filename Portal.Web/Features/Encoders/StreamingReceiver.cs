using System.Buffers;
using System.Security.Cryptography;
using Portal.Web.Http;

namespace Portal.Web.Features.Encoders;

/// <summary>
/// Copies a request body to a file in 1 MiB chunks while hashing it, so memory stays constant whatever the file size.
/// On any failure (client gone, over the limit, cancelled) the partial file is removed.
/// </summary>
public static class StreamingReceiver
{
    public const int ChunkBytes = 1 << 20;

    public sealed record Received(string Path, long Length, string Sha256);

    public static async Task<Received> ReceiveAsync(Stream body, string path, long limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                int n;
                while ((n = await body.ReadAsync(buffer.AsMemory(0, ChunkBytes), ct)) > 0)
                {
                    total += n;
                    if (total > limit) throw new UploadTooLargeException(limit);
                    sha.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                await file.FlushAsync(ct);
            }
            return new Received(path, total, Convert.ToHexStringLower(sha.GetHashAndReset()));
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends a body to an existing file (resumable uploads), without hashing; returns the new length.</summary>
    public static async Task<long> AppendAsync(Stream body, string path, long expectedOffset, long limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            FileStream file;
            try { file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous); }
            catch (IOException) when (File.Exists(path)) { throw new StateConflictException("another request is writing this upload session; retry after it ends", "busy"); }
            await using var _ = file;
            if (file.Length != expectedOffset) throw new StateConflictException($"offset mismatch: the server has {file.Length} bytes, the chunk starts at {expectedOffset}", "offset " + file.Length);
            file.Seek(0, SeekOrigin.End);
            long total = file.Length;
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(0, ChunkBytes), ct)) > 0)
            {
                total += n;
                if (total > limit)
                {
                    file.SetLength(expectedOffset);
                    throw new UploadTooLargeException(limit, $"the chunk at offset {expectedOffset} runs past the session's declared size of {limit} bytes: nothing of it was kept");
                }
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
            }
            await file.FlushAsync(ct);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct));
    }

    public static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
