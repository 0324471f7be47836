using System.Text;

namespace Portal.Engine.Checkpoints;

/// <summary>Where text from a checkpoint stops being valid UTF-8, for refusals that say where rather than surfacing a decoder error.</summary>
internal static class TextChecks
{
    /// <summary>Offset of the first byte that is not part of valid UTF-8, or -1.</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return -1;
        Span<char> chars = stackalloc char[1024];
        int at = 0;
        while (true)
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(bytes[at..], chars, out var read, out _, replaceInvalidSequences: false);
            at += read;
            if (status != System.Buffers.OperationStatus.DestinationTooSmall) return at;
        }
    }

    /// <summary>
    /// ", after 'text'": up to 40 characters before <paramref name="at"/> (from the last quote when
    /// <paramref name="quoted"/>, i.e. the JSON string it is in), or "" at the start.
    /// </summary>
    public static string Before(byte[] bytes, int at, bool quoted = false)
    {
        var from = Math.Max(0, at - 40);
        while (from < at && (bytes[from] & 0xC0) == 0x80) from++; // start on a character boundary
        var text = Encoding.UTF8.GetString(bytes, from, at - from);
        if (quoted && text.LastIndexOf('"') is var q and >= 0) text = text[(q + 1)..];
        return text.Length == 0 ? "" : $", after '{text}'";
    }
}
