using System.Buffers.Binary;
using Portal.Engine.Checkpoints.Pickle;
using static TorchSharp.torch;

namespace Portal.Engine.Checkpoints;

/// <summary>
/// The pre-1.6 <c>torch.save</c> format (still written with <c>_use_new_zipfile_serialization=False</c>): pickles
/// for the magic number, protocol version and sys_info, then the object, then the sorted storage keys, then each
/// storage as an int64 element count followed by its raw bytes.
/// </summary>
public static class TorchLegacyCheckpoint
{
    // 0x1950a86a20f9469cfc6c as pickle LONG1 (10 bytes, little-endian), after PROTO n.
    private static readonly byte[] MagicLong1 = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
    private const long ProtocolVersion = 1001;

    public static bool LooksLikeLegacy(ReadOnlySpan<byte> head) =>
        head.Length >= 2 + MagicLong1.Length && head[0] == 0x80 && head.Slice(2, MagicLong1.Length).SequenceEqual(MagicLong1);

    public static StateDict Load(string path, CheckpointLoadOptions? options = null)
    {
        options ??= new CheckpointLoadOptions();
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            object? Header(string what) => new RestrictedUnpickler(s, $"{path} ({what})", GlobalPolicy.PlainData, options.PickleLimits).Load();
            if (Header("magic number") is not System.Numerics.BigInteger magic || magic != System.Numerics.BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber))
                throw new CheckpointFormatException($"{path}: not a legacy torch.save file (magic number missing)");
            if (Header("protocol version") is not ProtocolVersion)
                throw new CheckpointFormatException($"{path}: unsupported legacy torch.save protocol version");
            if (Header("sys_info") is PyDict info && info.TryGetValue("little_endian", out var le) && le is false)
                throw new CheckpointFormatException($"{path}: written on a big-endian machine; only little-endian checkpoints are supported");

            var storages = new Dictionary<string, StorageRef>();
            var root = new RestrictedUnpickler(s, path, GlobalPolicy.Checkpoint, options.PickleLimits,
                pid => TorchZipCheckpoint.PersistentStorage(pid, storages, path, legacy: true)).Load();
            if (Header("storage keys") is not List<object?> keys || keys.Any(k => k is not string))
                throw new CheckpointFormatException($"{path}: storage key list is malformed");

            // Storages follow in key order: note where each one's bytes are, checking sizes against the pickle.
            var offsets = new Dictionary<string, long>();
            Span<byte> count = stackalloc byte[8];
            foreach (var key in keys.Cast<string>())
            {
                s.ReadExactly(count);
                var numel = BinaryPrimitives.ReadInt64LittleEndian(count);
                if (!storages.TryGetValue(key, out var sref))
                    throw new CheckpointFormatException($"{path}: storage '{key}' is listed but no tensor refers to it");
                if (numel != sref.Numel)
                    throw new CheckpointFormatException($"{path}: storage '{key}' holds {numel} elements but the pickle declares {sref.Numel}");
                var bytes = TorchStorage.ByteLength(sref, path);
                if (bytes > s.Length - s.Position)
                    throw new CheckpointFormatException($"{path}: storage '{key}' needs {bytes} bytes but the file has only {s.Length - s.Position} left (truncated?)");
                offsets[key] = s.Position;
                s.Seek(bytes, SeekOrigin.Current);
            }

            var selection = CheckpointWrappers.Select(root, path);
            var meta = new Dictionary<string, string>(selection.Notes) { ["format"] = "torch-legacy" };
            // Views, sizes, the total limit and the caller's validator, before any storage is allocated or read.
            TorchTensors.Plan(selection, path, "torch-legacy").Approve(options);
            return TorchTensors.Materialise(selection, meta, options, path, sref =>
            {
                if (!offsets.TryGetValue(sref.Key, out var at))
                    throw new CheckpointFormatException($"{path}: storage '{sref.Key}' is missing from the data section");
                var t = empty(sref.Numel, TorchStorage.ToScalarType(sref.DType));
                if (sref.Numel == 0) return t;
                try
                {
                    s.Seek(at, SeekOrigin.Begin);
                    s.ReadExactly(t.bytes);
                    return t;
                }
                catch
                {
                    t.Dispose();
                    throw;
                }
            });
        }
        catch (Exception e) when (e is EndOfStreamException or IOException and not FileNotFoundException)
        {
            throw new CheckpointFormatException($"{path}: legacy torch.save file is damaged or truncated ({e.Message})", e);
        }
    }
}
