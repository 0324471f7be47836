using System.IO.Compression;
using System.Text;
using Portal.Engine.Text;
using Portal.Tests.Support;
using Portal.Engine.Text.Cleaning;

namespace Portal.Tests.Text;

/// <summary>
/// The tokenizer on a vocabulary built here from a handful of merges, with ids worked out by hand from the layout:
/// 256 byte characters in bytes_to_unicode order (printable '!'..'~' first, so 'a' = 97 − 33 = 64), the same 256
/// with &lt;/w&gt; (+256), one id per merge from 512, then &lt;start_of_text&gt; and &lt;end_of_text&gt;.
/// </summary>
public class ClipTokenizerTests
{
    private static readonly string[] Merges = ["c a", "ca t</w>", "d o", "do g</w>", "a </w>", "t h", "th e</w>"];
    // ids: ca 512, cat</w> 513, do 514, dog</w> 515, a</w> 516, th 517, the</w> 518; SOT 519, EOT 520.
    private const int Sot = 519, Eot = 520;

    private static ClipTokenizer Tiny(int context = 77) => new(BpeVocabulary.FromMerges(Merges), context);

    private static int Byte(char c) => c - '!';          // printable ASCII id
    private static int End(char c) => 256 + Byte(c);     // the same character ending a word

    [Fact]
    public void Vocabulary_layout_follows_open_clip()
    {
        var v = BpeVocabulary.FromMerges(Merges);
        // "a </w>" re-lists a</w>: like open_clip's dict(zip(vocab, range)) the later id (516) wins, 320 goes unused.
        Assert.Equal(512 + Merges.Length + 2 - 1, v.Count);
        Assert.Equal(64, v.Encoder["a"]);
        Assert.Equal(516, v.Encoder["a</w>"]);
        Assert.Equal(256 + 65, v.Encoder["b</w>"]);
        Assert.Equal(513, v.Encoder["cat</w>"]);
        Assert.Equal((Sot, Eot), (v.StartId, v.EndId));
        // bytes outside the printable ranges come after them: byte 0 → U+0100 at index 188 (94 + 12 + 82).
        Assert.Equal(188, v.Encoder["\u0100"]);
    }

    [Fact]
    public void Words_merge_by_rank_and_end_with_the_word_marker()
    {
        var t = Tiny();
        Assert.Equal([513, 515], t.Encode("cat dog"));
        Assert.Equal([518, 513], t.Encode("The CAT"));                        // lower-cased first
        Assert.Equal([512, 513], t.Encode("cacat"));                          // c a c a t → ca ca t</w> → ca cat</w>
        Assert.Equal([516], t.Encode("a"));                                   // single character: a</w> (its later id)
        Assert.Equal([End('b')], t.Encode("b"));                              // no merge: the </w> byte character
        Assert.Equal([Byte('x'), End('y')], t.Encode("xy"));
    }

    [Fact]
    public void Punctuation_numbers_and_contractions_split_like_the_regex()
    {
        var t = Tiny();
        // "cat's" → cat + 's ; "42" → two single digits ; "!!" one symbol run.
        Assert.Equal([513, Byte('\''), End('s'), End('4'), End('2'), Byte('!'), End('!')], t.Encode("cat's 42 !!"));
        Assert.Equal(["cat", "'s", "4", "2", "!!", "dog"], ClipPreTokenizer.Split("cat's 42 !!dog"));
    }

    [Fact]
    public void Non_ascii_text_becomes_utf8_byte_characters()
    {
        var t = Tiny();
        // "é" is C3 A9: both bytes are printable Latin-1 (ids 94 + (0xC3 − 0xAE) + 12 … ), the last with </w>.
        var v = t.Vocabulary;
        Assert.Equal([v.Encoder["Ã"], v.Encoder["©</w>"]], t.Encode("é"));
        Assert.Equal(94 + 12 + (0xC3 - 0xAE), v.Encoder["Ã"]);
    }

    [Fact]
    public void Rows_have_start_end_and_padding()
    {
        var r = Tiny().Tokenize("  a   cat\n");
        Assert.Equal(77, r.Ids.Length);
        Assert.Equal([Sot, 516, 513, Eot], r.Ids.Take(4));
        Assert.All(r.Ids.Skip(4), id => Assert.Equal(0, id));
        Assert.Equal("a cat", r.Cleaned);
        Assert.Equal(4, r.TokenCount);
        Assert.False(r.Truncated);
    }

    [Fact]
    public void Long_texts_keep_the_first_ids_and_end_with_eot()
    {
        var r = Tiny(context: 5).Tokenize("cat dog cat dog cat");
        Assert.Equal([Sot, 513, 515, 513, Eot], r.Ids);
        Assert.Equal(7, r.TokenCount);
        Assert.True(r.Truncated);
    }

    [Fact]
    public void Special_token_text_maps_to_its_id()
    {
        Assert.Equal([Sot, 513, Eot], Tiny().Encode("<start_of_text>cat<end_of_text>"));
    }

    [Fact]
    public void Cleaning_follows_ftfy_html_and_python_lower()
    {
        Assert.Equal("tom & jerry <3 \"quoted\"", ClipTextCleaner.Clean("Tom &amp; Jerry &lt;3 &quot;quoted&quot;"));
        Assert.Equal("'single' \"double\"", ClipTextCleaner.Clean("‘single’ “double”"));
        Assert.Equal("abc 12", ClipTextCleaner.Clean("ＡＢＣ\u3000１２"));               // full width → ASCII
        Assert.Equal("file", ClipTextCleaner.Clean("ﬁle"));                            // ligature
        Assert.Equal("a b", ClipTextCleaner.Clean("a\u0007\t\u00a0b "));
        Assert.Equal("é", ClipTextCleaner.Clean("e\u0301"));                           // NFC
        Assert.Equal("όσος", ClipTextCleaner.Clean("ΌΣΟΣ"));                          // final sigma
        Assert.Equal("i\u0307", ClipTextCleaner.Clean("İ"));
        Assert.Equal("red", ClipTextCleaner.Clean("\u001b[31mred"));                   // terminal escape
        Assert.Equal("€", ClipTextCleaner.Clean("\u0080"));                            // C1 control read as Windows-1252
        Assert.Equal("&", ClipTextCleaner.Clean("&amp;amp;amp;"));                     // ftfy once + html.unescape twice
        Assert.Equal("<b> &amp;", ClipTextCleaner.Clean("<b> &amp;amp;amp;"));          // '<' present: ftfy leaves entities
    }

    [Fact]
    public void Gzip_and_huggingface_vocabulary_files_load_to_the_same_ids()
    {
        using var dir = new FixturePaths.TempDir();
        var gz = dir.File("vocab.txt.gz");
        using (var f = File.Create(gz))
        using (var z = new GZipStream(f, CompressionLevel.Fastest))
            z.Write(Encoding.UTF8.GetBytes("\"bpe header\"\n" + string.Join('\n', Merges) + "\n"));
        var fromGz = ClipTokenizer.Load(gz);

        var v = BpeVocabulary.FromMerges(Merges);
        var json = "{" + string.Join(",", v.Encoder.Select(kv => $"{System.Text.Json.JsonSerializer.Serialize(kv.Key.Replace("<start_of_text>", "<|startoftext|>").Replace("<end_of_text>", "<|endoftext|>"))}:{kv.Value}")) + "}";
        File.WriteAllText(dir.File("vocab.json"), json);
        File.WriteAllText(dir.File("merges.txt"), "#version: 0.2\n" + string.Join('\n', Merges) + "\n");
        var fromHf = ClipTokenizer.Load(dir.File("vocab.json"));

        var expected = Tiny().Tokenize("the cat, a dog!").Ids;
        Assert.Equal(expected, fromGz.Tokenize("the cat, a dog!").Ids);
        Assert.Equal(expected, fromHf.Tokenize("the cat, a dog!").Ids);
    }

    [Fact]
    public void Bad_vocabulary_files_name_the_file_and_line()
    {
        using var dir = new FixturePaths.TempDir();
        File.WriteAllText(dir.File("bad.txt"), "header\nc a\nonly-one-symbol\n");
        var e = Assert.Throws<FormatException>(() => BpeVocabulary.Load(dir.File("bad.txt")));
        Assert.Contains("bad.txt line 3", e.Message);
        File.WriteAllText(dir.File("vocab.json"), "{\"a\": 1}");
        var m = Assert.Throws<FileNotFoundException>(() => BpeVocabulary.Load(dir.File("vocab.json")));
        Assert.Contains("merges.txt", m.Message);
        Assert.Throws<FileNotFoundException>(() => BpeVocabulary.Load(dir.File("absent.gz")));
    }
}
