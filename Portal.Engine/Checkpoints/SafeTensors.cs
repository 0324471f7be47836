using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Checkpoints;

/// <summary>
/// Reader and writer for the safetensors format (8-byte little-endian header length, JSON header, raw data).
/// The header is validated before any tensor is allocated: bounded size, offsets inside the file, no overlaps
/// or gaps, and dtype × shape agreeing with the byte length. Tensors are streamed one at a time, so a
/// multi-gigabyte file never sits in managed memory.
/// </summary>
public static class SafeTensors
{
    /// <summary>Real headers are a few hundred KB; this bounds what a lying file can make us allocate.</summary>
    public const long MaxHeaderBytes = 64L * 1024 * 1024;

    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    public static bool LooksLikeSafeTensors(ReadOnlySpan<byte> first16)
    {
        if (first16.Length < 9) return false;
        var n = BinaryPrimitives.ReadUInt64LittleEndian(first16);
        return n > 1 && n <= MaxHeaderBytes && first16[8] == (byte)'{';
    }

    public static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(Stream s, long fileLength, string path)
    {
        if (fileLength < 8) throw new CheckpointFormatException($"{path}: file is {fileLength} bytes, too short for a safetensors header");
        Span<byte> len = stackalloc byte[8];
        s.ReadExactly(len);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n > MaxHeaderBytes)
            throw new CheckpointFormatException($"{path}: safetensors header claims {n} bytes, more than the {MaxHeaderBytes}-byte limit");
        if ((long)n > fileLength - 8)
            throw new CheckpointFormatException($"{path}: safetensors header claims {n} bytes but the file has only {fileLength - 8} after the length field (truncated?)");
        var buf = new byte[n];
        s.ReadExactly(buf);
        var dataStart = 8 + (long)n;
        var dataLength = fileLength - dataStart;

        CheckUtf8(buf, path);
        var entries = new List<Entry>();
        var meta = new Dictionary<string, string>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(buf); }
        catch (JsonException e) { throw new CheckpointFormatException($"{path}: safetensors header is not valid JSON ({e.Message})", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException($"{path}: safetensors header is not a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in p.Value.EnumerateObject())
                            meta[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(ParseEntry(p, path));
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (!seen.Add(e.Name)) throw new CheckpointFormatException($"{path}: safetensors header names tensor '{e.Name}' twice");
            var elem = ElementSize(e.DType, path, e.Name);
            var bytes = ByteCount(e.Shape, elem, path, e.Name, e.DType);
            if (e.Begin < 0 || e.End < e.Begin)
                throw new CheckpointFormatException($"{path}: tensor '{e.Name}' has invalid data_offsets [{e.Begin}, {e.End}]");
            if (e.End > dataLength)
                throw new CheckpointFormatException($"{path}: tensor '{e.Name}' ends at byte {e.End} of the data section, but the file has only {dataLength} data bytes (truncated?)");
            if (bytes != e.End - e.Begin)
                throw new CheckpointFormatException($"{path}: tensor '{e.Name}' is {e.DType}{FormatShape(e.Shape)} = {bytes} bytes but its offsets span {e.End - e.Begin}");
        }
        var sorted = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw new CheckpointFormatException($"{path}: tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap");
        return (entries, meta, dataStart);
    }

    /// <summary>
    /// Bytes of a tensor of <paramref name="shape"/>; a shape whose element count (or bytes) overflows 64 bits is
    /// refused naming the tensor. The product of the non-zero dimensions is checked too: an empty tensor of
    /// [0, 2^62, 2^62] is no more possible than a full one.
    /// </summary>
    internal static long ByteCount(long[] shape, int elem, string path, string name, string dtype)
    {
        long nonZero = 1;
        bool empty = false;
        foreach (var d in shape)
        {
            if (d < 0) throw new CheckpointFormatException($"{path}: tensor '{name}' has a negative dimension ({FormatShape(shape)})");
            if (d == 0) { empty = true; continue; }
            if (nonZero > long.MaxValue / d) throw Overflow();
            nonZero *= d;
        }
        if (nonZero > long.MaxValue / elem) throw Overflow();
        return empty ? 0 : nonZero * elem;

        CheckpointFormatException Overflow() => new(
            $"{path}: tensor '{name}' has shape {FormatShape(shape)}, whose {dtype} size overflows a 64-bit byte count (an impossible tensor)");
    }

    /// <summary>Refuses a header that is not strict UTF-8, saying where (System.Text.Json would otherwise fail later, without a name).</summary>
    private static void CheckUtf8(byte[] header, string path)
    {
        var at = TextChecks.FirstInvalidUtf8(header);
        if (at < 0) return;
        throw new CheckpointFormatException(
            $"{path}: safetensors header is not valid UTF-8: byte 0x{header[at]:X2} at header offset {at}{TextChecks.Before(header, at, quoted: true)} (a tensor name or metadata string is corrupt)");
    }

    private static Entry ParseEntry(JsonProperty p, string path)
    {
        try
        {
            var v = p.Value;
            var dtype = v.GetProperty("dtype").GetString() ?? "";
            var shape = v.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var offs = v.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            if (offs.Length != 2) throw new CheckpointFormatException($"{path}: tensor '{p.Name}' data_offsets must have two numbers");
            return new Entry(p.Name, dtype, shape, offs[0], offs[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CheckpointFormatException($"{path}: tensor '{p.Name}' has a malformed header entry ({e.Message})", e);
        }
    }

    public static int ElementSize(string dtype, string path = "", string name = "") => dtype switch
    {
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "F64" or "I64" => 8,
        "U8" or "I8" or "BOOL" => 1,
        _ => throw new CheckpointFormatException($"{path}: tensor '{name}' has unsupported dtype '{dtype}'"),
    };

    private static ScalarType ToScalarType(string dtype) => dtype switch
    {
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "F64" => ScalarType.Float64,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new CheckpointFormatException($"unsupported dtype '{dtype}'"),
    };

    private static string FromScalarType(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"safetensors cannot store {t}"),
    };

    private static string FormatShape(long[] shape) => "[" + string.Join(",", shape) + "]";

    /// <summary>Reads every tensor. Floating-point tensors are converted to <paramref name="floatType"/> (float32 by default) unless null.</summary>
    public static StateDict Load(string path, ScalarType? floatType = ScalarType.Float32) =>
        Load(path, new CheckpointLoadOptions { FloatType = floatType });

    /// <summary>Reads every tensor, after the declared sizes pass <see cref="CheckpointLoadOptions.Limits"/> and <see cref="CheckpointLoadOptions.Validate"/>.</summary>
    internal static StateDict Load(string path, CheckpointLoadOptions options)
    {
        var floatType = options.FloatType;
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        List<Entry> entries;
        Dictionary<string, string> meta;
        long dataStart;
        try { (entries, meta, dataStart) = ReadHeader(s, s.Length, path); }
        catch (EndOfStreamException ex) { throw new CheckpointFormatException($"{path}: file ended inside the safetensors header (truncated?)", ex); }
        new CheckpointPlan(path, "safetensors",
            entries.Select(e => new CheckpointTensorPlan(e.Name, e.DType, e.Shape, e.End - e.Begin, $"bytes {e.Begin}..{e.End}")).ToList(),
            CheckpointPlan.Sum(entries.Select(e => e.End - e.Begin), path)).Approve(options);
        var sd = new StateDict { Metadata = meta };
        try
        {
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                s.Seek(dataStart + e.Begin, SeekOrigin.Begin);
                var t = torch.empty(e.Shape, ToScalarType(e.DType));
                if (e.End > e.Begin)
                {
                    if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts");
                    s.ReadExactly(t.bytes);
                }
                if (floatType is { } ft && t.is_floating_point() && t.dtype != ft)
                {
                    var c = t.to_type(ft);
                    t.Dispose();
                    t = c;
                }
                sd.Add(e.Name, t);
            }
        }
        catch (EndOfStreamException ex)
        {
            sd.Dispose();
            throw new CheckpointFormatException($"{path}: file ended before all tensor data was read (truncated?)", ex);
        }
        catch
        {
            sd.Dispose();
            throw;
        }
        // Keep the file order of the header (state_dict order), not the data order.
        return Reorder(sd, entries.Select(e => e.Name));
    }

    private static StateDict Reorder(StateDict sd, IEnumerable<string> order)
    {
        var r = new StateDict { Metadata = sd.Metadata };
        var all = sd.TakePrefix("");
        foreach (var k in order) r.Add(k, all[k]);
        return r;
    }

    /// <summary>Writes tensors in the given order, contiguous, little-endian, header padded to 8 bytes.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.Select(kv => (kv.Key, T: kv.Value.detach().cpu().contiguous())).ToList();
        try
        {
            var header = new Dictionary<string, object>();
            var meta = new Dictionary<string, string> { ["format"] = "pt" };
            if (metadata != null) foreach (var kv in metadata) meta[kv.Key] = kv.Value;
            header["__metadata__"] = meta;
            long offset = 0;
            foreach (var (name, t) in list)
            {
                long n = t.numel() * t.ElementSize;
                header[name] = new { dtype = FromScalarType(t.dtype), shape = t.shape, data_offsets = new[] { offset, offset + n } };
                offset += n;
            }
            var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
            var padded = (json.Length + 7) / 8 * 8;
            var tmp = path + ".tmp";
            using (var s = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
                s.Write(len);
                s.Write(json);
                for (int i = json.Length; i < padded; i++) s.WriteByte((byte)' ');
                foreach (var (_, t) in list) if (t.numel() > 0) s.Write(t.bytes);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            foreach (var (_, t) in list) t.Dispose();
        }
    }
}
