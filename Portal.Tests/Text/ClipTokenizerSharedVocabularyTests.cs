using System.Text.Json;
using Portal.Engine.Text;
using Portal.Tests.Support;
using Xunit.Abstractions;

namespace Portal.Tests.Text;

/// <summary>
/// open_clip.tokenize's exact rows for the shared cases, with open_clip's own vocabulary file. That file may not be
/// committed, so this runs only where ../shared is present (skipped with a message elsewhere). cases.json is committed.
/// </summary>
public class ClipTokenizerSharedVocabularyTests(ITestOutputHelper output)
{
    private const string Folder = "fixtures", Sub = "tokenizer", VocabFile = "bpe_simple_vocab_16e6.txt.gz";

    [SharedFileFact(Folder, Sub, VocabFile)]
    public void Every_case_matches_open_clip()
    {
        var tokenizer = ClipTokenizer.Load(SharedFixtures.File(Folder, Sub, VocabFile)!);
        Assert.Equal(49408, tokenizer.Vocabulary.Count);
        Assert.Equal((49406, 49407), (tokenizer.Vocabulary.StartId, tokenizer.Vocabulary.EndId));

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixturePaths.Root, "tokenizer", "cases.json")));
        var failures = new List<string>();
        int n = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            n++;
            var text = c.GetProperty("text").GetString()!;
            var r = tokenizer.Tokenize(text);
            var ids = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var problems = new List<string>();
            if (r.Cleaned != c.GetProperty("cleaned").GetString()) problems.Add($"cleaned '{r.Cleaned}'");
            var pre = ClipPreTokenizer.Split(r.Cleaned);
            if (!pre.SequenceEqual(c.GetProperty("pretokens").EnumerateArray().Select(e => e.GetString()!))) problems.Add($"pretokens [{string.Join("|", pre)}]");
            if (!r.Ids.SequenceEqual(ids)) problems.Add($"ids differ at position {Enumerable.Range(0, 77).First(i => r.Ids[i] != ids[i])}");
            if (r.TokenCount != c.GetProperty("n_tokens_with_sot_eot").GetInt32()) problems.Add($"count {r.TokenCount}");
            if (r.Truncated != c.GetProperty("truncated").GetBoolean()) problems.Add("truncation flag");
            if (problems.Count > 0) failures.Add($"'{text}': {string.Join(", ", problems)}");
        }
        output.WriteLine($"{n - failures.Count}/{n} cases match open_clip exactly");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
