using System.Buffers;
using System.IO.Compression;
using System.Text;
using Portal.Engine.Checkpoints.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Checkpoints;

/// <summary>
/// Reads <c>torch.save</c>'s zip format (PyTorch ≥ 1.6; released <c>.bin</c>/<c>.pt</c>/<c>.pth</c>) through the
/// restricted unpickler. Storages are read only for the tensors kept after unwrapping, one storage at a time.
/// </summary>
public static class TorchZipCheckpoint
{
    /// <summary>data.pkl of a large state dict is well under a few MB (whole ViT-bigG: ~1,000 tensors); this bounds what a lying entry can make us read.</summary>
    public const long MaxPickleBytes = 256L * 1024 * 1024;

    public static StateDict Load(string path, CheckpointLoadOptions? options = null)
    {
        options ??= new CheckpointLoadOptions();
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var zip = new ZipArchive(file, ZipArchiveMode.Read);
            var layout = TorchArchiveLayout.Find(zip, path)
                ?? throw new CheckpointFormatException($"{path}: zip file has no '<folder>/data.pkl': not a PyTorch checkpoint");
            if (layout.IsTorchScript)
                throw new CheckpointFormatException($"{path}: this is a TorchScript module (torch.jit.save), not a state dict; load it as an encoder with AllowTorchScript");
            if (layout.Entry(zip, "byteorder") is { } bo)
            {
                var order = Encoding.ASCII.GetString(ReadEntry(bo, 64, path)).Trim();
                if (order != "little") throw new CheckpointFormatException($"{path}: byteorder is '{order}'; only little-endian checkpoints are supported");
            }

            var storages = new Dictionary<string, StorageRef>();
            var pkl = ReadEntry(layout.DataPkl, MaxPickleBytes, path);
            var root = RestrictedUnpickler.Load(pkl, $"{path}:{layout.DataPkl.FullName}", GlobalPolicy.Checkpoint, options.PickleLimits,
                pid => PersistentStorage(pid, storages, path, legacy: false));
            var selection = CheckpointWrappers.Select(root, path);
            var meta = new Dictionary<string, string>(selection.Notes) { ["format"] = "torch-zip" };

            // Plan before read: every view fits its storage, every storage has a record of exactly its size, the
            // total is within the limit and the caller accepts the keys, all before one storage byte is read.
            var plan = TorchTensors.Plan(selection, path, "torch-zip");
            var records = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var sref in TorchTensors.Storages(selection))
            {
                var e = layout.Entry(zip, "data/" + sref.Key)
                    ?? throw new CheckpointFormatException($"{path}: storage '{sref.Key}' has no record '{layout.Prefix}data/{sref.Key}' in the zip");
                CheckRecord(e, sref, path, file.Length);
                records[sref.Key] = e;
            }
            plan.Approve(options);
            return TorchTensors.Materialise(selection, meta, options, path, sref => ReadStorage(records[sref.Key], sref, path));
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException and not FileNotFoundException)
        {
            throw new CheckpointFormatException($"{path}: damaged zip archive ({e.Message})", e);
        }
    }

    /// <summary>
    /// torch's persistent id for a storage: ('storage', torch.FloatStorage, key, location, numel) in the zip format,
    /// with a sixth view_metadata (must be None) in the legacy format. Repeated keys are the same (shared) storage.
    /// </summary>
    internal static StorageRef PersistentStorage(object? pid, Dictionary<string, StorageRef> storages, string path, bool legacy)
    {
        if (pid is not PyTuple t || t.Count != (legacy ? 6 : 5) || t[0] is not "storage")
            throw new CheckpointFormatException($"persistent id {PickleText.Describe(pid)} is not a torch storage reference");
        if (t[1] is not PyGlobal g || !PickleGlobals.TryStorageType(g, out var dtype))
            throw new CheckpointFormatException($"storage type {PickleText.Describe(t[1])} is not a supported torch storage");
        if (t[2] is not string key || t[3] is not string location || t[4] is not long numel)
            throw new CheckpointFormatException("storage reference is not (key, location, numel)");
        if (legacy && t[5] is not null)
            throw new CheckpointFormatException($"storage '{key}' is a view of another storage (legacy view_metadata), which is not supported");
        if (numel < 0) throw new CheckpointFormatException($"storage '{key}' declares a negative size");
        if (storages.TryGetValue(key, out var known))
        {
            if (known.DType != dtype || known.Numel != numel)
                throw new CheckpointFormatException($"storage '{key}' is declared twice with different types or sizes");
            return known;
        }
        var s = new StorageRef(key, dtype, numel, location);
        storages[key] = s;
        return s;
    }

    private static byte[] ReadEntry(ZipArchiveEntry e, long max, string path)
    {
        if (e.Length > max) throw new CheckpointFormatException($"{path}: record '{e.FullName}' is {e.Length} bytes, more than the {max}-byte limit");
        if (e.CompressedLength != e.Length) CountInflated(e, e.Length, path, "its zip header");
        var b = new byte[e.Length];
        using var s = e.Open();
        s.ReadExactly(b);
        return b;
    }

    /// <summary>A storage's record must hold exactly the bytes the pickle declares, from a possible compressed size.</summary>
    private static void CheckRecord(ZipArchiveEntry e, StorageRef s, string path, long fileLength)
    {
        var need = TorchStorage.ByteLength(s, path);
        if (e.Length != need)
            throw new CheckpointFormatException(
                $"{path}: storage '{s.Key}' ({e.FullName}) holds {e.Length} bytes but the pickle declares {s.Numel} × {TorchStorage.ElementSize(s.DType)} = {need}");
        if (e.CompressedLength > fileLength)
            throw new CheckpointFormatException($"{path}: record '{e.FullName}' claims to be larger than the file");
        if (need > 0 && need / 1100 > e.CompressedLength) // deflate cannot exceed ~1032:1
            throw new CheckpointFormatException($"{path}: record '{e.FullName}' claims {need} bytes from {e.CompressedLength} compressed bytes, an impossible ratio");
    }

    /// <summary>
    /// Inflates a compressed record into a small reused buffer, counting: refused the moment it passes
    /// <paramref name="declared"/> bytes, if it ends short, or if its CRC-32 is not the header's (.NET stops
    /// inflating at the header's size, so a header that understates a bomb shows up as a CRC mismatch). The zip
    /// header's size is never trusted alone, and no memory is set aside for the record until its real size is known.
    /// </summary>
    private static void CountInflated(ZipArchiveEntry e, long declared, string path, string declaredBy)
    {
        var buf = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            using var src = e.Open();
            long total = 0;
            uint crc = 0;
            int n;
            while ((n = src.Read(buf, 0, buf.Length)) > 0)
            {
                total += n;
                crc = Crc32.Append(crc, buf.AsSpan(0, n));
                if (total > declared)
                    throw new CheckpointFormatException(
                        $"{path}: record '{e.FullName}' inflates past the {declared} bytes {declaredBy} declares (refused after {total} bytes; a decompression bomb?)");
            }
            if (total < declared)
                throw new CheckpointFormatException($"{path}: record '{e.FullName}' inflates to {total} bytes, but {declaredBy} declares {declared} (truncated or lying archive)");
            if (crc != e.Crc32)
                throw new CheckpointFormatException(
                    $"{path}: record '{e.FullName}' does not match the CRC-32 its zip header records (its header understates or misstates what it holds; a decompression bomb?)");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    private static Tensor ReadStorage(ZipArchiveEntry e, StorageRef s, string path)
    {
        var need = TorchStorage.ByteLength(s, path);
        // torch.save stores records uncompressed; a compressed one is first inflated and counted, then read.
        if (need > 0 && e.CompressedLength != need) CountInflated(e, need, path, $"storage '{s.Key}' in the pickle");
        var t = empty(s.Numel, TorchStorage.ToScalarType(s.DType));
        try
        {
            if (need == 0) return t;
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts");
            using var src = e.Open();
            src.ReadExactly(t.bytes);
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }
}

/// <summary>CRC-32 (IEEE 802.3, as zip uses), table-driven; only compressed records, which torch.save never writes, pay for it.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        var c = (uint)i;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }
}
