using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Portal.Engine.Text;

/// <summary>
/// A CLIP BPE vocabulary: token → id, the merge ranks, and the start/end-of-text ids. Two file layouts are read:
/// OpenCLIP's `bpe_simple_vocab_16e6.txt.gz` (a header line, then one merge per line; open_clip uses the first
/// 49152−256−2 = 48894 merges and builds the ids itself) and the Hugging Face pair `vocab.json` + `merges.txt`
/// (ids given explicitly; special tokens `&lt;|startoftext|&gt;`/`&lt;|endoftext|&gt;`).
/// </summary>
public sealed class BpeVocabulary
{
    /// <summary>open_clip reads merges lines [1, 49152−256−2+1) of its file.</summary>
    public const int OpenClipMergeCount = 49152 - 256 - 2;
    public const string OpenClipStart = "<start_of_text>", OpenClipEnd = "<end_of_text>";
    public const string HfStart = "<|startoftext|>", HfEnd = "<|endoftext|>";

    public IReadOnlyDictionary<string, int> Encoder { get; }
    public IReadOnlyDictionary<(string, string), int> MergeRanks { get; }
    public int StartId { get; }
    public int EndId { get; }
    public string StartToken { get; }
    public string EndToken { get; }
    public string Source { get; }
    public int Count => Encoder.Count;

    private BpeVocabulary(Dictionary<string, int> encoder, Dictionary<(string, string), int> ranks, string start, string end, string source)
    {
        Encoder = encoder;
        MergeRanks = ranks;
        StartToken = start;
        EndToken = end;
        StartId = encoder.TryGetValue(start, out var s) ? s : throw new FormatException($"{source}: vocabulary has no '{start}' token");
        EndId = encoder.TryGetValue(end, out var e) ? e : throw new FormatException($"{source}: vocabulary has no '{end}' token");
        Source = source;
    }

    /// <summary>
    /// The open_clip layout from a merges list: 256 byte characters, the same with `&lt;/w&gt;`, one entry per merge,
    /// then start and end of text. <paramref name="merges"/> are "left right" strings in rank order.
    /// </summary>
    public static BpeVocabulary FromMerges(IReadOnlyList<string> merges, string source = "merges")
    {
        // open_clip builds a list and then dict(zip(list, range)): a token listed twice keeps its LAST index.
        var encoder = new Dictionary<string, int>(StringComparer.Ordinal);
        var ranks = new Dictionary<(string, string), int>();
        int index = 0;
        foreach (var b in ByteToUnicode.Order) encoder[ByteToUnicode.Map[b].ToString()] = index++;
        foreach (var b in ByteToUnicode.Order) encoder[ByteToUnicode.Map[b] + "</w>"] = index++;
        for (int i = 0; i < merges.Count; i++)
        {
            var pair = ParseMerge(merges[i], source, i + 2);
            ranks.TryAdd(pair, i);   // dict(zip(merges, range)) too, but the BPE loop only compares ranks: keep the first
            encoder[pair.Item1 + pair.Item2] = index++;
        }
        encoder[OpenClipStart] = index++;
        encoder[OpenClipEnd] = index;
        return new BpeVocabulary(encoder, ranks, OpenClipStart, OpenClipEnd, source);
    }

    /// <summary>Reads a vocabulary file: `.gz` or plain merges text (open_clip layout), or a `vocab.json` whose sibling `merges.txt` holds the merges.</summary>
    public static BpeVocabulary Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"vocabulary file not found: {path}", path);
        if (Path.GetFileName(path).EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var merges = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "merges.txt");
            return LoadHuggingFace(path, merges);
        }
        string text;
        try
        {
            using var file = File.OpenRead(path);
            var head = new byte[2];
            int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            file.Position = 0;
            using Stream s = n == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(s, new UTF8Encoding(false, throwOnInvalidBytes: true));
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException)
        {
            throw new FormatException($"{path}: not a gzip'd or UTF-8 BPE merges file ({e.Message})", e);
        }
        var lines = text.Split('\n');
        if (lines.Length < 2) throw new FormatException($"{path}: expected a header line followed by merges, found {lines.Length} line(s)");
        // open_clip: merges = lines[1 : 49152-256-2+1]; a shorter (custom) file contributes all its merges.
        var merges2 = lines.Skip(1).Take(OpenClipMergeCount).Where(l => l.Length > 0).ToList();
        return FromMerges(merges2, Path.GetFileName(path));
    }

    /// <summary>The Hugging Face pair: ids from vocab.json, ranks from merges.txt (optional `#version` header).</summary>
    public static BpeVocabulary LoadHuggingFace(string vocabJson, string mergesTxt)
    {
        if (!File.Exists(mergesTxt)) throw new FileNotFoundException($"{vocabJson} needs its merges file next to it: {mergesTxt} not found", mergesTxt);
        Dictionary<string, int> encoder;
        try
        {
            encoder = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabJson))
                ?? throw new FormatException($"{vocabJson}: empty vocabulary");
        }
        catch (JsonException e) { throw new FormatException($"{vocabJson}: not a token → id JSON object ({e.Message})", e); }
        var ranks = new Dictionary<(string, string), int>();
        int line = 0;
        foreach (var raw in File.ReadLines(mergesTxt))
        {
            line++;
            if (raw.Length == 0 || (line == 1 && raw.StartsWith("#version", StringComparison.Ordinal))) continue;
            var pair = ParseMerge(raw, Path.GetFileName(mergesTxt), line);
            if (!encoder.ContainsKey(pair.Item1 + pair.Item2))
                throw new FormatException($"{mergesTxt} line {line}: merge result '{pair.Item1 + pair.Item2}' is not in {Path.GetFileName(vocabJson)}");
            ranks.TryAdd(pair, ranks.Count);
        }
        var dup = encoder.GroupBy(kv => kv.Value).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new FormatException($"{vocabJson}: id {dup.Key} is used by more than one token");
        bool hf = encoder.ContainsKey(HfStart);
        return new BpeVocabulary(new Dictionary<string, int>(encoder, StringComparer.Ordinal), ranks,
            hf ? HfStart : OpenClipStart, hf ? HfEnd : OpenClipEnd, Path.GetFileName(vocabJson));
    }

    private static (string, string) ParseMerge(string line, string source, int lineNo)
    {
        var parts = line.TrimEnd('\r').Split(' ');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new FormatException($"{source} line {lineNo}: a merge is two symbols separated by one space, got '{line}'");
        return (parts[0], parts[1]);
    }
}
