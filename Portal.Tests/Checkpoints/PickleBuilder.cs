using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Portal.Tests.Checkpoints;

/// <summary>Writes pickle opcodes by hand, so tests can build exactly the (hostile) bytes they need without Python.</summary>
internal sealed class PickleBuilder
{
    private readonly MemoryStream _ms = new();

    public PickleBuilder Op(byte op) { _ms.WriteByte(op); return this; }
    public PickleBuilder Raw(params byte[] b) { _ms.Write(b); return this; }
    public PickleBuilder Ascii(string s) => Raw(Encoding.Latin1.GetBytes(s));
    public PickleBuilder Proto(int p = 2) => Op(0x80).Op((byte)p);
    public PickleBuilder Mark() => Op((byte)'(');
    public PickleBuilder Tuple() => Op((byte)'t');
    public PickleBuilder EmptyTuple() => Op((byte)')');
    public PickleBuilder Tuple1() => Op(0x85);
    public PickleBuilder Tuple2() => Op(0x86);
    public PickleBuilder Tuple3() => Op(0x87);
    public PickleBuilder Reduce() => Op((byte)'R');
    public PickleBuilder Build() => Op((byte)'b');
    public PickleBuilder NewObj() => Op(0x81);
    public PickleBuilder EmptyDict() => Op((byte)'}');
    public PickleBuilder EmptyList() => Op((byte)']');
    public PickleBuilder Append() => Op((byte)'a');
    public PickleBuilder SetItem() => Op((byte)'s');
    public PickleBuilder SetItems() => Op((byte)'u');
    public PickleBuilder None() => Op((byte)'N');
    public PickleBuilder Bool(bool b) => Op(b ? (byte)0x88 : (byte)0x89);
    public PickleBuilder Stop() => Op((byte)'.');
    public PickleBuilder BinPersId() => Op((byte)'Q');
    public PickleBuilder Put(int i) => Op((byte)'q').Op((byte)i);
    public PickleBuilder Get(int i) => Op((byte)'h').Op((byte)i);
    public PickleBuilder Pop() => Op((byte)'0');
    public PickleBuilder LongPut(uint i) { Op((byte)'r'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, i); return Raw(b.ToArray()); }
    public PickleBuilder LongGet(uint i) { Op((byte)'j'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, i); return Raw(b.ToArray()); }
    public PickleBuilder Global(string module, string name) => Op((byte)'c').Ascii(module + "\n" + name + "\n");
    public PickleBuilder StackGlobal(string module, string name) => Str(module).Str(name).Op(0x93);

    public PickleBuilder Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        Op((byte)'X');
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, b.Length);
        return Raw(n.ToArray()).Raw(b);
    }

    public PickleBuilder Bytes(byte[] b)
    {
        Op((byte)'B');
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, b.Length);
        return Raw(n.ToArray()).Raw(b);
    }

    public PickleBuilder Int(long v)
    {
        if (v is >= 0 and < 256) return Op((byte)'K').Op((byte)v);
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            return Op((byte)'J').Raw(b.ToArray());
        }
        Span<byte> l = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, v);
        return Op(0x8a).Op(8).Raw(l.ToArray());
    }

    public PickleBuilder Float(double d)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, d);
        return Op((byte)'G').Raw(b.ToArray());
    }

    public PickleBuilder IntTuple(params long[] xs)
    {
        Mark();
        foreach (var x in xs) Int(x);
        return Tuple();
    }

    /// <summary>torch._utils._rebuild_tensor_v2(('storage', torch.&lt;type&gt;, key, 'cpu', numel), offset, size, stride, False, OrderedDict()).</summary>
    public PickleBuilder Tensor(string storageType, string key, long numel, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(numel).Tuple().BinPersId();
        Int(offset).IntTuple(size).IntTuple(stride).Bool(false);
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        return Tuple().Reduce();
    }

    public byte[] ToArray() => _ms.ToArray();
}

/// <summary>Writes a pre-1.6 torch.save file: magic, protocol, sys_info pickles, the object pickle, storage keys, storages.</summary>
internal static class TorchLegacyWriter
{
    public static void Write(string path, byte[] mainPickle, IReadOnlyList<(string Key, long Numel, byte[] Data)> storages)
    {
        using var f = File.Create(path);
        f.Write(new PickleBuilder().Proto().Raw(0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).Stop().ToArray());
        f.Write(new PickleBuilder().Proto().Int(1001).Stop().ToArray());
        f.Write(new PickleBuilder().Proto().EmptyDict().Str("protocol_version").Int(1001).SetItem().Str("little_endian").Bool(true).SetItem().Stop().ToArray());
        f.Write(mainPickle);
        var keys = new PickleBuilder().Proto().EmptyList();
        foreach (var s in storages) keys.Str(s.Key).Append();
        f.Write(keys.Stop().ToArray());
        var n = new byte[8];
        foreach (var s in storages)
        {
            BinaryPrimitives.WriteInt64LittleEndian(n, s.Numel);
            f.Write(n);
            f.Write(s.Data);
        }
    }

    /// <summary>A legacy tensor: its persistent id has a sixth element, view_metadata (None).</summary>
    public static PickleBuilder Tensor(PickleBuilder p, string storageType, string key, long numel, long[] size, long[] stride)
    {
        p.Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(numel).None().Tuple().BinPersId()
            .Int(0).IntTuple(size).IntTuple(stride).Bool(false).Global("collections", "OrderedDict").EmptyTuple().Reduce();
        return p.Tuple().Reduce();
    }
}

/// <summary>Writes a torch.save-style zip: &lt;top&gt;/data.pkl, data/&lt;key&gt;, version, byteorder.</summary>
internal static class TorchZipWriter
{
    public static void Write(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]> storages, string top = "archive",
        IReadOnlyDictionary<string, byte[]>? extraEntries = null)
    {
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        void Add(string name, byte[] data)
        {
            var e = zip.CreateEntry(top + "/" + name, CompressionLevel.NoCompression);
            using var s = e.Open();
            s.Write(data);
        }
        Add("data.pkl", pickle);
        Add("byteorder", "little"u8.ToArray());
        foreach (var (k, v) in storages) Add("data/" + k, v);
        foreach (var (k, v) in extraEntries ?? new Dictionary<string, byte[]>()) Add(k, v);
        Add("version", "3\n"u8.ToArray());
    }

    public static byte[] Floats(params float[] xs) => xs.SelectMany(BitConverter.GetBytes).ToArray();
}
