using System.Buffers.Binary;
using System.Text;

namespace Portal.Engine.Retrieval;

/// <summary>
/// Writes plain Python data (dict, list, str, int, float) as a protocol-2 pickle, the form of revisitop's gnd files;
/// the engine reads it back with its restricted unpickler. Nothing else can be written, so nothing executable is.
/// </summary>
public static class PlainPickle
{
    public static byte[] Dumps(object value)
    {
        using var ms = new MemoryStream();
        ms.Write([0x80, 2]);
        Write(ms, value);
        ms.WriteByte((byte)'.');
        return ms.ToArray();
    }

    private static void Write(Stream s, object value)
    {
        switch (value)
        {
            case string str:
                var bytes = Encoding.UTF8.GetBytes(str);
                s.WriteByte((byte)'X');
                Span<byte> len = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
                s.Write(len);
                s.Write(bytes);
                break;
            case int i:
                s.WriteByte((byte)'J');
                Span<byte> ib = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(ib, i);
                s.Write(ib);
                break;
            case double d:
                s.WriteByte((byte)'G');
                Span<byte> db = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(db, d);
                s.Write(db);
                break;
            case IDictionary<string, object> dict:
                s.WriteByte((byte)'}');
                s.WriteByte((byte)'(');
                foreach (var (k, v) in dict) { Write(s, k); Write(s, v); }
                s.WriteByte((byte)'u');
                break;
            case System.Collections.IEnumerable list:
                s.WriteByte((byte)']');
                s.WriteByte((byte)'(');
                foreach (var item in list) Write(s, item ?? throw new ArgumentException("None is not supported"));
                s.WriteByte((byte)'e');
                break;
            default:
                throw new ArgumentException($"cannot pickle a {value.GetType().Name}");
        }
    }
}
