namespace Portal.Engine.Text;

/// <summary>
/// GPT-2/CLIP's reversible byte → character table: printable Latin-1 bytes map to themselves, the other 68 bytes to
/// U+0100 onwards, so every byte string is a string of visible characters BPE can merge. <see cref="Order"/> is the
/// table's iteration order (printable bytes first), which is also the order of the first 256 vocabulary entries.
/// </summary>
public static class ByteToUnicode
{
    public static readonly char[] Map = new char[256];
    public static readonly byte[] Order = new byte[256];

    static ByteToUnicode()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1)
            .Concat(Enumerable.Range('¡', '¬' - '¡' + 1))
            .Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToList();
        int k = 0, extra = 0;
        foreach (var b in printable) { Map[b] = (char)b; Order[k++] = (byte)b; }
        for (int b = 0; b < 256; b++)
        {
            if (printable.Contains(b)) continue;
            Map[b] = (char)(256 + extra++);
            Order[k++] = (byte)b;
        }
    }

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = Map[bytes[i]];
        return new string(chars);
    }
}
