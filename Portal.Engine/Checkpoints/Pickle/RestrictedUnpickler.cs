using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Portal.Engine.Checkpoints.Pickle;

/// <summary>
/// A pickle virtual machine for protocols 0–5 that only builds data. Globals go through
/// <see cref="PickleGlobals"/> (allow-list, refused by name otherwise); REDUCE/NEWOBJ/BUILD are interpreted by
/// C# code for the allowed names and nothing else. Reads exactly one pickle from the stream's current position.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private readonly Stream _s;
    private readonly long _end;
    private readonly string _source;
    private readonly GlobalPolicy _policy;
    private readonly PickleLimits _limits;
    private readonly Func<object?, object?>? _persistentLoad;

    private List<object?> _stack = [];
    private readonly Stack<List<object?>> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private long _objects;
    private long _opStart;
    private readonly PickleDepth _depth;

    /// <param name="source">Names the file (and archive entry) in error messages.</param>
    /// <param name="persistentLoad">Resolves persistent ids (torch storages); null refuses them.</param>
    public RestrictedUnpickler(Stream s, string source, GlobalPolicy policy, PickleLimits? limits = null,
        Func<object?, object?>? persistentLoad = null)
    {
        _s = s;
        _end = s.Length;
        _source = source;
        _policy = policy;
        _limits = limits ?? PickleLimits.Default;
        _persistentLoad = persistentLoad;
        _depth = new PickleDepth(_limits.MaxNestingDepth);
    }

    public static object? Load(byte[] data, string source, GlobalPolicy policy, PickleLimits? limits = null,
        Func<object?, object?>? persistentLoad = null) =>
        new RestrictedUnpickler(new MemoryStream(data, writable: false), source, policy, limits, persistentLoad).Load();

    public object? Load()
    {
        try
        {
            return Run();
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException($"{_source}: {e.Message} (at pickle byte {_opStart})", e);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidCastException or FormatException or OverflowException
            or ArgumentException or IndexOutOfRangeException or KeyNotFoundException or DecoderFallbackException or InvalidOperationException)
        {
            throw new CheckpointFormatException($"{_source}: malformed pickle at byte {_opStart} ({e.Message})", e);
        }
    }

    private object? Run()
    {
        while (true)
        {
            _opStart = _s.Position;
            var op = ReadByte();
            switch (op)
            {
                case (byte)'.': // STOP
                    if (_marks.Count != 0) throw new CheckpointFormatException("pickle ends with an open MARK");
                    var result = Pop();
                    if (_stack.Count != 0) throw new CheckpointFormatException("pickle ends with values left on the stack");
                    // Containers changed after being nested: the recorded depths may be low, or a cycle may exist.
                    if (_depth.Stale) PickleDepth.Check(result, _limits.MaxNestingDepth);
                    return result;
                case 0x80: // PROTO
                    var proto = ReadByte();
                    if (proto > 5) throw new CheckpointFormatException($"pickle protocol {proto} is newer than 5");
                    break;
                case 0x95: // FRAME: a length hint only
                    var frame = ReadUInt64();
                    if (frame < 0 || frame > _end - _s.Position) throw new CheckpointFormatException($"pickle frame of {frame} bytes runs past the end of the data");
                    break;

                // ---- stack and memo
                case (byte)'(': // MARK
                    if (_marks.Count >= _limits.MaxMarkDepth) throw new CheckpointFormatException($"pickle nests more than {_limits.MaxMarkDepth} MARKs");
                    _marks.Push(_stack);
                    _stack = [];
                    break;
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP
                case (byte)'p': MemoPut(ParseLong(ReadLineAscii())); break; // PUT
                case (byte)'q': MemoPut(ReadByte()); break; // BINPUT
                case (byte)'r': MemoPut(ReadUInt32()); break; // LONG_BINPUT
                case 0x94: MemoPut(_memo.Count); break; // MEMOIZE
                case (byte)'g': MemoGet(ParseLong(ReadLineAscii())); break; // GET
                case (byte)'h': MemoGet(ReadByte()); break; // BINGET
                case (byte)'j': MemoGet(ReadUInt32()); break; // LONG_BINGET

                // ---- scalars
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'I': Push(ParseIntLine(ReadLineAscii())); break; // INT
                case (byte)'J': Push((long)ReadInt32()); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)ReadUInt16()); break; // BININT2
                case (byte)'L': Push(ParseLongLine(ReadLineAscii())); break; // LONG
                case 0x8a: Push(ReadBinaryLong(ReadByte())); break; // LONG1
                case 0x8b: Push(ReadBinaryLong(ReadInt32())); break; // LONG4
                case (byte)'F': Push(double.Parse(ReadLineAscii(), NumberStyles.Float, CultureInfo.InvariantCulture)); break;
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT

                // ---- strings and bytes
                case (byte)'S': Push(Latin1(UnquoteString(ReadLineAscii()))); break; // STRING (py2 str: text here)
                case (byte)'T': Push(Latin1(ReadBytes(ReadInt32()))); break; // BINSTRING
                case (byte)'U': Push(Latin1(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'V': Push(RawUnicodeEscape(ReadLineAscii())); break; // UNICODE
                case (byte)'X': Push(Utf8(ReadBytes(ReadUInt32()))); break; // BINUNICODE
                case 0x8c: Push(Utf8(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(ReadBytes(ReadUInt64()))); break; // BINUNICODE8
                case (byte)'B': Push(ReadBytes(ReadUInt32())); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadUInt64())); break; // BINBYTES8
                case 0x96: Push(ReadBytes(ReadUInt64())); break; // BYTEARRAY8
                case 0x97: throw new CheckpointFormatException("pickle uses out-of-band buffers (NEXT_BUFFER), which a file cannot carry");
                case 0x98: break; // READONLY_BUFFER: no-op on data we already own

                // ---- containers
                // Each container's depth is recorded as it is made or grows (PickleDepth), before anything hashes it.
                case (byte)')': Push(Made(PyTuple.Empty, [])); break;
                case (byte)'t': { var items = PopMark(); Push(Made(new PyTuple(items), items)); break; }
                case 0x85: { var a = Pop(); Push(Made(new PyTuple([a]), [a])); break; }
                case 0x86: { var b = Pop(); var a = Pop(); Push(Made(new PyTuple([a, b]), [a, b])); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(Made(new PyTuple([a, b, c]), [a, b, c])); break; }
                case (byte)']': Push(Made(new List<object?>(), [])); break;
                case (byte)'l': { var items = PopMark(); Push(Made(items, items)); break; }
                case (byte)'a': { var v = Pop(); var list = AsList(Peek(), "APPEND"); _depth.Added(list, v); list.Add(v); break; }
                case (byte)'e':
                {
                    var items = PopMark();
                    var list = AsList(Peek(), "APPENDS");
                    foreach (var x in items) _depth.Added(list, x);
                    list.AddRange(items);
                    break;
                }
                case (byte)'}': Push(Made(new PyDict(), [])); break;
                case (byte)'d': { var items = PopMark(); var d = Made(new PyDict(), []); SetItems(d, items); Push(d); break; }
                case (byte)'s': { var v = Pop(); var k = Pop(); var d = AsDict(Peek(), "SETITEM"); SetItem(d, k, v); break; }
                case (byte)'u': { var items = PopMark(); SetItems(AsDict(Peek(), "SETITEMS"), items); break; }
                case 0x8f: Push(Made(new PySet([], false), [])); break; // EMPTY_SET
                case 0x90: // ADDITEMS
                {
                    var items = PopMark();
                    if (Peek() is not PySet { Frozen: false } set) throw new CheckpointFormatException("ADDITEMS on something that is not a set");
                    foreach (var x in items) _depth.Added(set, x);
                    set.Items.AddRange(items);
                    break;
                }
                case 0x91: { var items = PopMark(); Push(Made(new PySet(items, true), items)); break; } // FROZENSET

                // ---- globals and object construction: the only places a pickle could run code
                case (byte)'c': // GLOBAL
                {
                    var module = ReadLineAscii();
                    var name = ReadLineAscii();
                    Push(PickleGlobals.Resolve(module, name, _policy));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n) throw new CheckpointFormatException("STACK_GLOBAL needs two strings");
                    Push(PickleGlobals.Resolve(m, n, _policy));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var args = Pop();
                    var f = Pop();
                    Push(Result(PickleGlobals.Call(AsGlobal(f, "REDUCE"), AsTuple(args, "REDUCE"), _policy), args));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var args = Pop();
                    var cls = Pop();
                    Push(Result(PickleGlobals.NewObject(AsGlobal(cls, "NEWOBJ"), AsTuple(args, "NEWOBJ"), _policy), args));
                    break;
                }
                case 0x92: // NEWOBJ_EX
                {
                    var kwargs = Pop();
                    var args = Pop();
                    var cls = Pop();
                    if (kwargs is not PyDict { Count: 0 }) throw new CheckpointFormatException("NEWOBJ_EX with keyword arguments is not accepted");
                    Push(Result(PickleGlobals.NewObject(AsGlobal(cls, "NEWOBJ_EX"), AsTuple(args, "NEWOBJ_EX"), _policy), args));
                    break;
                }
                case (byte)'i': // INST
                {
                    var module = ReadLineAscii();
                    var name = ReadLineAscii();
                    var cls = PickleGlobals.Resolve(module, name, _policy);
                    var items = PopMark();
                    var args = Made(new PyTuple(items), items);
                    Push(Result(PickleGlobals.NewObject(cls, args, _policy), args));
                    break;
                }
                case (byte)'o': // OBJ
                {
                    var items = PopMark();
                    if (items.Count == 0) throw new CheckpointFormatException("OBJ without a class");
                    var rest = items.Skip(1).ToList();
                    var args = Made(new PyTuple(rest), rest);
                    Push(Result(PickleGlobals.NewObject(AsGlobal(items[0], "OBJ"), args, _policy), args));
                    break;
                }
                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    var target = Pop();
                    if (target is PyObject or PyDict) _depth.Added(target, state); // they keep the state
                    Push(PickleGlobals.Build(target, state));
                    break;
                }
                case (byte)'P': // PERSID
                    Push(PersistentLoad(ReadLineAscii()));
                    break;
                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(Pop()));
                    break;
                case 0x82 or 0x83 or 0x84:
                    throw new CheckpointFormatException("pickle uses the copyreg extension registry (EXT1/2/4), which is refused");
                default:
                    throw new CheckpointFormatException($"unknown pickle opcode 0x{op:x2}");
            }
        }
    }

    private object? PersistentLoad(object? pid)
    {
        if (_persistentLoad is null)
            throw new CheckpointFormatException($"pickle refers to external data (persistent id {PickleText.Describe(pid)}), which plain data cannot have");
        return _persistentLoad(pid);
    }

    // ---- stack helpers

    private void Push(object? o)
    {
        if (++_objects > _limits.MaxObjects)
            throw new CheckpointFormatException($"pickle builds more than {_limits.MaxObjects} objects");
        _stack.Add(o);
    }

    private object? Pop()
    {
        if (_stack.Count == 0) throw new CheckpointFormatException("pickle stack underflow");
        var o = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return o;
    }

    private object? Peek() => _stack.Count == 0 ? throw new CheckpointFormatException("pickle stack underflow") : _stack[^1];

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw new CheckpointFormatException("pickle uses a MARK that was never set");
        var items = _stack;
        _stack = _marks.Pop();
        return items;
    }

    private void MemoPut(long index)
    {
        if (index < 0) throw new CheckpointFormatException("negative memo index");
        if (_memo.Count >= _limits.MaxObjects) throw new CheckpointFormatException("pickle memo is too large");
        _memo[index] = Peek();
    }

    private void MemoGet(long index)
    {
        if (!_memo.TryGetValue(index, out var o)) throw new CheckpointFormatException($"pickle reads memo slot {index}, which was never written");
        Push(o);
    }

    private T Made<T>(T container, IEnumerable<object?> items)
    {
        _depth.Made(container, items);
        return container;
    }

    private object? Result(object? result, object? args)
    {
        _depth.Result(result, args);
        return result;
    }

    private void SetItem(PyDict d, object? key, object? value)
    {
        _depth.Added(d, key);
        _depth.Added(d, value);
        d.Set(key, value);
    }

    private void SetItems(PyDict d, List<object?> items)
    {
        if (items.Count % 2 != 0) throw new CheckpointFormatException("SETITEMS with an odd number of items");
        for (int i = 0; i < items.Count; i += 2) SetItem(d, items[i], items[i + 1]);
    }

    private static List<object?> AsList(object? o, string op) =>
        o as List<object?> ?? throw new CheckpointFormatException($"{op} on a {PickleText.TypeName(o)}, not a list");

    private static PyDict AsDict(object? o, string op) =>
        o as PyDict ?? throw new CheckpointFormatException($"{op} on a {PickleText.TypeName(o)}, not a dict");

    private static PyGlobal AsGlobal(object? o, string op) =>
        o as PyGlobal ?? throw new CheckpointFormatException($"{op} calls a {PickleText.TypeName(o)}, which is not a global");

    private static PyTuple AsTuple(object? o, string op) =>
        o as PyTuple ?? throw new CheckpointFormatException($"{op} arguments are a {PickleText.TypeName(o)}, not a tuple");

    // ---- byte-level reading; every length is checked against what is left before anything is allocated

    private byte ReadByte()
    {
        var b = _s.ReadByte();
        if (b < 0) throw new CheckpointFormatException("pickle data ends before STOP (truncated?)");
        return (byte)b;
    }

    private byte[] ReadBytes(long n)
    {
        if (n < 0 || n > _end - _s.Position)
            throw new CheckpointFormatException($"pickle declares a {n}-byte item but only {_end - _s.Position} bytes are left");
        var b = new byte[n];
        _s.ReadExactly(b);
        return b;
    }

    private ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2));
    private int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
    private long ReadUInt64()
    {
        var v = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        return v > long.MaxValue ? -1 : (long)v; // -1 fails every length check
    }

    private string ReadLineAscii()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var b = ReadByte();
            if (b == (byte)'\n') return sb.ToString();
            if (sb.Length >= _limits.MaxLineBytes) throw new CheckpointFormatException($"pickle text line longer than {_limits.MaxLineBytes} bytes");
            sb.Append((char)b);
        }
    }

    private object ReadBinaryLong(long n)
    {
        if (n < 0 || n > _limits.MaxIntegerBytes) throw new CheckpointFormatException($"pickle integer of {n} bytes is out of bounds");
        var b = ReadBytes(n);
        var v = new BigInteger(b, isUnsigned: false, isBigEndian: false);
        return v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;
    }

    private object ParseIntLine(string s)
    {
        if (s == "00") return false;
        if (s == "01") return true;
        return ParseLongLine(s);
    }

    private object ParseLongLine(string s)
    {
        s = s.TrimEnd('L');
        if (s.Length > _limits.MaxIntegerBytes) throw new CheckpointFormatException($"pickle integer of {s.Length} digits is out of bounds");
        var v = BigInteger.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;
    }

    private static long ParseLong(string s) => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static string Latin1(byte[] b) => Encoding.Latin1.GetString(b);
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);
    // Python pickles may hold lone surrogates ('surrogatepass'); state dict keys never do, so strict is right.
    private static string Utf8(byte[] b)
    {
        var bad = TextChecks.FirstInvalidUtf8(b);
        if (bad < 0) return StrictUtf8.GetString(b);
        throw new CheckpointFormatException(
            $"pickle string is not valid UTF-8: byte 0x{b[bad]:X2} at offset {bad} of a {b.Length}-byte string{TextChecks.Before(b, bad)}");
    }

    /// <summary>Protocol-0 STRING: a Python repr in quotes.</summary>
    private static byte[] UnquoteString(string s)
    {
        if (s.Length < 2 || s[0] != s[^1] || (s[0] != '\'' && s[0] != '"'))
            throw new CheckpointFormatException("STRING opcode argument is not quoted");
        var body = s[1..^1];
        var r = new List<byte>(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\') { r.Add((byte)c); continue; }
            if (++i >= body.Length) throw new CheckpointFormatException("STRING ends with a backslash");
            switch (body[i])
            {
                case 'n': r.Add(10); break;
                case 'r': r.Add(13); break;
                case 't': r.Add(9); break;
                case '\\': r.Add((byte)'\\'); break;
                case '\'': r.Add((byte)'\''); break;
                case '"': r.Add((byte)'"'); break;
                case 'x':
                    if (i + 2 >= body.Length) throw new CheckpointFormatException("bad \\x escape");
                    r.Add(byte.Parse(body.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default: throw new CheckpointFormatException($"unsupported escape '\\{body[i]}' in STRING");
            }
        }
        return [.. r];
    }

    /// <summary>Protocol-0 UNICODE: raw-unicode-escape (\uXXXX and \UXXXXXXXX only).</summary>
    private static string RawUnicodeEscape(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && (s[i + 1] == 'u' || s[i + 1] == 'U'))
            {
                var n = s[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + n > s.Length) throw new CheckpointFormatException("truncated \\u escape in UNICODE");
                var cp = int.Parse(s.AsSpan(i + 2, n), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                sb.Append(char.ConvertFromUtf32(cp));
                i += 1 + n;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
