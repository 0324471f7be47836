using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Engine.Datasets;

/// <summary>
/// A minimal reader for NumPy .npy files (format versions 1–3, little-endian or single-byte numeric dtypes, C order):
/// enough for BAPPS' judge files, which hold one float. Anything else is refused with a message naming the file.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeader = 64 * 1024;

    public sealed record Array(string DType, long[] Shape, double[] Values);

    public static Array Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return Parse(bytes, path);
    }

    public static Array Parse(byte[] bytes, string name)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw new FormatException($"{name}: not a .npy file (bad magic)");
        int major = bytes[6];
        int headerLen, headerStart;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); headerStart = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new FormatException($"{name}: truncated .npy header");
            var n = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            if (n > MaxHeader) throw new FormatException($"{name}: .npy header of {n} bytes is implausibly large");
            headerLen = (int)n; headerStart = 12;
        }
        else throw new FormatException($"{name}: unsupported .npy format version {major}");
        if (headerStart + headerLen > bytes.Length) throw new FormatException($"{name}: truncated .npy header");
        var header = Encoding.Latin1.GetString(bytes, headerStart, headerLen);

        var descr = DescrRe().Match(header);
        var fortran = FortranRe().Match(header);
        var shape = ShapeRe().Match(header);
        if (!descr.Success || !shape.Success) throw new FormatException($"{name}: .npy header lacks descr or shape: {header.Trim()}");
        if (fortran.Success && fortran.Groups[1].Value == "True")
        {
            // Order only matters for more than one dimension of size > 1; a single value reads the same.
        }
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v
                : throw new FormatException($"{name}: bad .npy shape '{shape.Groups[1].Value}'")).ToArray();
        long count = 1;
        foreach (var d in dims) count = checked(count * d);

        var dtype = descr.Groups[1].Value;
        int size = dtype switch
        {
            "<f8" or "<i8" or "<u8" => 8,
            "<f4" or "<i4" or "<u4" => 4,
            "<f2" or "<i2" or "<u2" => 2,
            "|u1" or "|i1" or "|b1" => 1,
            _ => throw new FormatException($"{name}: unsupported .npy dtype '{dtype}' (little-endian numbers only)"),
        };
        long dataStart = headerStart + headerLen;
        if (dataStart + count * size > bytes.Length)
            throw new FormatException($"{name}: .npy data truncated ({bytes.Length - dataStart} bytes for {count} × {dtype})");
        if (count > 1_000_000) throw new FormatException($"{name}: .npy array of {count} values is larger than this reader is meant for");

        var values = new double[count];
        var s = bytes.AsSpan((int)dataStart);
        for (int i = 0; i < count; i++)
        {
            var e = s.Slice(i * size, size);
            values[i] = dtype switch
            {
                "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(e),
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(e),
                "<f2" => (double)BinaryPrimitives.ReadHalfLittleEndian(e),
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(e),
                "<u8" => BinaryPrimitives.ReadUInt64LittleEndian(e),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(e),
                "<u4" => BinaryPrimitives.ReadUInt32LittleEndian(e),
                "<i2" => BinaryPrimitives.ReadInt16LittleEndian(e),
                "<u2" => BinaryPrimitives.ReadUInt16LittleEndian(e),
                "|i1" => (sbyte)e[0],
                _ => e[0],
            };
        }
        return new Array(dtype, dims, values);
    }

    /// <summary>Writes a float64 array (used by tests and tools that generate BAPPS-layout data).</summary>
    public static byte[] Float64(double[] values, long[] shape)
    {
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        var ms = new MemoryStream();
        ms.Write(Magic); ms.WriteByte(1); ms.WriteByte(0);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        ms.Write(len);
        ms.Write(Encoding.Latin1.GetBytes(header));
        Span<byte> v = stackalloc byte[8];
        foreach (var x in values) { BinaryPrimitives.WriteDoubleLittleEndian(v, x); ms.Write(v); }
        return ms.ToArray();
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")] private static partial Regex DescrRe();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranRe();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapeRe();
}
