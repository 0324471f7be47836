using System.Collections.Concurrent;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;
using Portal.Engine.Text.Cleaning;

namespace Portal.Engine.Text;

/// <summary>One tokenized text: the fixed-length row and how it was obtained.</summary>
public sealed record TokenizedText(string Text, string Cleaned, int[] Ids, int TokenCount, bool Truncated);

/// <summary>
/// open_clip's SimpleTokenizer + tokenize(): clean (<see cref="ClipTextCleaner"/>), pre-tokenise
/// (<see cref="ClipPreTokenizer"/>), map each piece's UTF-8 bytes to characters (<see cref="ByteToUnicode"/>), apply
/// byte-level BPE with `&lt;/w&gt;` marking the end of a word (lowest-rank pair first, every occurrence at once), then
/// [SOT] + ids + [EOT]; longer than the context: the first <c>context</c> ids with the last set to EOT; zero-padded.
/// </summary>
public sealed class ClipTokenizer(BpeVocabulary vocabulary, int contextLength = 77)
{
    private readonly ConcurrentDictionary<string, string[]> _cache = new(StringComparer.Ordinal);

    public BpeVocabulary Vocabulary { get; } = vocabulary;
    public int ContextLength { get; } = contextLength >= 2 ? contextLength : throw new ArgumentException("context length must be at least 2 (start and end tokens)");

    public static ClipTokenizer Load(string vocabularyPath, int contextLength = 77) => new(BpeVocabulary.Load(vocabularyPath), contextLength);

    /// <summary>BPE ids of a text without start/end tokens (open_clip's SimpleTokenizer.encode).</summary>
    public List<int> Encode(string text) => EncodeCleaned(ClipTextCleaner.Clean(text));

    public TokenizedText Tokenize(string text)
    {
        var cleaned = ClipTextCleaner.Clean(text);
        var ids = new List<int> { Vocabulary.StartId };
        ids.AddRange(EncodeCleaned(cleaned));
        ids.Add(Vocabulary.EndId);
        int count = ids.Count;
        bool truncated = count > ContextLength;
        if (truncated)
        {
            ids.RemoveRange(ContextLength, count - ContextLength);
            ids[ContextLength - 1] = Vocabulary.EndId;
        }
        var row = new int[ContextLength];
        ids.CopyTo(row);
        return new TokenizedText(text, cleaned, row, count, truncated);
    }

    /// <summary>N×context int64 ids, as open_clip.tokenize returns.</summary>
    public Tensor TokenizeBatch(IReadOnlyList<string> texts)
    {
        var flat = texts.SelectMany(t => Tokenize(t).Ids.Select(i => (long)i)).ToArray();
        return torch.tensor(flat, ScalarType.Int64).reshape(texts.Count, ContextLength);
    }

    private List<int> EncodeCleaned(string cleaned)
    {
        var ids = new List<int>();
        foreach (var piece in ClipPreTokenizer.Split(cleaned))
        {
            var chars = ByteToUnicode.Encode(Encoding.UTF8.GetBytes(piece));
            foreach (var symbol in Bpe(chars))
                ids.Add(Vocabulary.Encoder.TryGetValue(symbol, out var id) ? id
                    : throw new InvalidOperationException($"{Vocabulary.Source}: BPE produced '{symbol}', which has no id (merges and vocabulary disagree)"));
        }
        return ids;
    }

    /// <summary>The BPE symbols of one pre-token (already byte-mapped); special tokens map to themselves.</summary>
    public string[] Bpe(string token)
    {
        if (token == Vocabulary.StartToken || token == Vocabulary.EndToken
            || token == BpeVocabulary.OpenClipStart || token == BpeVocabulary.OpenClipEnd)
            return [Vocabulary.Encoder.ContainsKey(token) ? token : token == BpeVocabulary.OpenClipStart ? Vocabulary.StartToken : Vocabulary.EndToken];
        return _cache.GetOrAdd(token, Merge);
    }

    private string[] Merge(string token)
    {
        var word = new List<string>(token.Length);
        for (int i = 0; i < token.Length - 1; i++) word.Add(token[i].ToString());
        word.Add(token[^1] + "</w>");
        var ranks = Vocabulary.MergeRanks;
        while (word.Count > 1)
        {
            int best = int.MaxValue;
            (string, string) bigram = default;
            for (int i = 0; i < word.Count - 1; i++)
                if (ranks.TryGetValue((word[i], word[i + 1]), out var r) && r < best) { best = r; bigram = (word[i], word[i + 1]); }
            if (best == int.MaxValue) break;
            var merged = new List<string>(word.Count);
            for (int i = 0; i < word.Count;)
            {
                if (i < word.Count - 1 && word[i] == bigram.Item1 && word[i + 1] == bigram.Item2) { merged.Add(bigram.Item1 + bigram.Item2); i += 2; }
                else merged.Add(word[i++]);
            }
            word = merged;
        }
        return word.ToArray();
    }
}
