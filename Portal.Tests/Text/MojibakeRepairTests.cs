using System.Text;
using Portal.Engine.Text;
using Portal.Engine.Text.Cleaning;

namespace Portal.Tests.Text;

/// <summary>
/// Mojibake is made here the way it happens: the real text's UTF-8 bytes read back as a single-byte charset, once or
/// more. The repair must return the original exactly, and leave correct text alone. Every sample sentence is restored
/// in every charset listed; none is excluded. Left out as inherently ambiguous: Windows-1257 (its mojibake of Latin-1
/// letters, "é" → "Ć©", is also valid Windows-1250 mojibake of something else, and ftfy tries 1250 first), a lone
/// character whose mojibake looks like a letter and punctuation ("无" → "æ—" + U+00A0), and a lone no-break space read
/// as Windows-1251/1253 ("В" + U+00A0 is also Russian "В" before a no-break space).
/// </summary>
public class MojibakeRepairTests
{
    // Real sentences, one per language or script, with the punctuation that mojibake mangles most.
    public static readonly string[] Sentences =
    [
        "L’été dernier, nous avons visité le château près de Besançon — c’était magnifique…",
        "Où est la gare ? À côté de l’hôtel, après le pont. Ça coûte 12 € ; l’œuvre est née en Île-de-France.",
        "Schöne Grüße aus München: die Straße ist für Fußgänger gesperrt. Übermorgen öffnet das Café.",
        "¿Dónde está el niño? ¡Mañana vamos a la montaña con la señora Muñoz!",
        "São Paulo é a maior cidade do Brasil; as crianças estão à espera da irmã e do avô.",
        "Zażółć gęślą jaźń — Łódź jest pięknym miastem, a Kraków leży nad Wisłą.",
        "Příliš žluťoučký kůň úpěl ďábelské ódy. Šťastný Čech řekl: „Děkuji“.",
        "Привет, мир! Съешь же ещё этих мягких французских булок, да выпей чаю.",
        "Καλημέρα κόσμε, η Ελλάδα είναι όμορφη το καλοκαίρι.",
        "İstanbul’da çok güzel bir gün geçirdik; Ağrı Dağı’nı görmek istiyoruz.",
        "“Quoted” text — with ‘single’ quotes… and an en dash – plus a bullet • here",
        "The price is 10 € or £8.50, only 5% off™ (© 2024 Café Ltd.) at 20 °C, ½ cup",
        "Party time 🎉🎂 with friends 👍😀 and a rocket 🚀",
        "日本語のテキストと中文文本、한국어 문장도 있습니다",
        "Crème brûlée costs 7 € at the café in Zürich 🍮",
        "Ærøskøbing og Æbeltoft ligger i Danmark; på gensyn!",
        "naïve façade, jalapeño, Mötley Crüe, São Tomé",
    ];

    public static TheoryData<string, int> Manglings => new()
    {
        { "windows-1252", 1 }, { "windows-1252", 2 }, { "latin-1", 1 }, { "latin-1", 2 },
        { "windows-1251", 1 }, { "windows-1251", 2 }, { "windows-1250", 1 }, { "windows-1250", 2 },
        { "windows-1252", 3 }, { "windows-1253", 1 }, { "windows-1254", 1 },
    };

    [Theory]
    [MemberData(nameof(Manglings))]
    public void Utf8_read_as_a_single_byte_charset_is_restored_exactly(string charset, int times)
    {
        var failures = new List<string>();
        foreach (var s in Sentences)
        {
            var broken = Mangle(s, charset, times);
            Assert.NotEqual(s, broken);
            var repaired = MojibakeRepair.Fix(broken);
            if (repaired != s) failures.Add($"{broken}\n  → {repaired}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Sentences.Length} not restored ({charset} ×{times}):\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("schÃ¶n", "schön")]
    [InlineData("This â€” should be an em dash", "This — should be an em dash")]
    [InlineData("cafÃ©", "café")]
    [InlineData("ÃƒÂ©tÃƒÂ©", "été")]                                // twice
    [InlineData("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет")]
    [InlineData("РїСЂРёРІРµС‚", "привет")]                              // Cyrillic read as Windows-1251
    [InlineData("Ãºnico", "único")]
    [InlineData("sÃ³", "só")]
    [InlineData("This text is sad .â\u0081”.", "This text is sad .⁔.")]  // C1 control among Windows-1252 characters
    [InlineData("\u00c3\u00a0\u00c2\u00b2\u00c2\u00a0_\u00c3\u00a0\u00c2\u00b2\u00c2\u00a0", "ಠ_ಠ")]
    [InlineData("voilÃ le travail", "voilà le travail")]                  // byte 0xA0 turned into a space
    [InlineData("Ã la carte", "à la carte")]
    [InlineData("10Â km", "10\u00a0km")]
    [InlineData("line one: schÃ¶n\nline two: Ð´Ð¾Ð¼\n", "line one: schön\nline two: дом\n")]
    [InlineData("Åšredni, ÄŒte", "Średni, Čte")]                       // capitals the heuristic must see through
    [InlineData("no es vР“РЋlido, menor de 65Р’В\u00a0536", "no es válido, menor de 65\u00a0536")]  // inner layer hides a defect
    [InlineData("Pour mettre Г\u00a0 jour", "Pour mettre à jour")]      // one Cyrillic letter among French words
    public void Known_mojibake_is_repaired(string broken, string expected) => Assert.Equal(expected, MojibakeRepair.Fix(broken));

    [Theory]
    [InlineData("")]
    [InlineData("plain ASCII text, nothing to see (a+b) & c")]
    [InlineData("café")]
    [InlineData("naïve")]
    [InlineData("Ærøskøbing")]
    [InlineData("São Paulo")]
    [InlineData("Straße")]
    [InlineData("ÉTÉ…")]                                  // upper-case accented letter before a closing mark
    [InlineData("“CAFÉ”")]
    [InlineData("«ÉTÉ»")]
    [InlineData("CAFÉ™ and NIÑO®")]
    [InlineData("JOSÉ’S")]
    [InlineData("“IRMÔ e “MAÇÔ")]
    [InlineData("not such a fan of Charlotte Brontë…”")]  // ë…” would be valid UTF-8 for 녔
    [InlineData("AHÅ™, the new sofa from IKEA®")]
    [InlineData("PÅ”")]
    [InlineData("Ñandú")]
    [InlineData("¿Qué?")]
    [InlineData("10 €")]
    [InlineData("Â")]
    [InlineData("Ã")]
    [InlineData("Âge")]
    [InlineData("ROMÂNIA, ȘI MAI ĂLA")]
    [InlineData("Déjà vu, Zoë’s café—and crème brûlée")]
    [InlineData("Сёмга, Річка, копії, Київ")]             // Cyrillic letters that are continuation bytes in Windows-1251
    [InlineData("«РОССИЯ»")]
    [InlineData("Ελληνικά: Άρης, ΌΣΟΣ, αΐ")]
    [InlineData("中文 日本語 한국어 😀👍🏽")]
    [InlineData("½ × ¼ = ⅛, 20 °C, 5 µm, x² + y³, № 5, § 3, ¶ 2")]
    [InlineData("Ölçü, ağaç, İzmir, ŞİŞLİ")]
    [InlineData("Łódź, Gdańsk, Kraków, część, różne, się")]
    [InlineData("těšit, spěšně, ďábel, Šťastný")]
    [InlineData("«Bonjour\u00a0!» dit-il\u00a0; CAFÉ\u00a0!")]
    [InlineData("This text was never UTF-8 at all\u0085")]  // a C1 control alone: left for the Windows-1252 step
    [InlineData("ТЕКУЩИЙ ПАКЕТ\u00a0SDK, VISUAL STUDIO И\u00a0(ИЛИ) В\u00a0ОС")]  // capitals before no-break spaces
    [InlineData("NÃO É\u00a0UM CAMINHO VÁLIDO")]
    [InlineData("MŮŽE BÝT „NEBEZPEČNÝ“, „so“ und ‚so‘")]   // “ and ‘ close quotations
    [InlineData("Îşi, ÎŞI, Şi")]                           // Romanian
    public void Correct_text_is_left_alone(string text)
    {
        Assert.Equal(0, MojibakeRepair.Badness(text));
        Assert.Equal(text, MojibakeRepair.Fix(text));
    }

    [Fact]
    public void Every_sample_sentence_is_correct_text()
    {
        foreach (var s in Sentences)
        {
            Assert.Equal(0, MojibakeRepair.Badness(s));
            Assert.Equal(s, MojibakeRepair.Fix(s));
        }
    }

    [Theory]
    [InlineData("✔ schÃ¶n", "✔ schön")]                                 // ✔ fits no single-byte charset
    [InlineData("cafÃ© and café", "café and café")]                     // é alone is not valid UTF-8
    [InlineData("привет and Ã¼ber Ã©tÃ©", "привет and über été")]
    [InlineData("Ð¿Ñ€Ð¸Ð²ÐµÑ‚ and привет", "привет and привет")]
    [InlineData("10 â‚¬ for 😀", "10 € for 😀")]
    [InlineData("Straße: StraÃƒÅ¸e", "Straße: Straße")]                    // a doubly mangled word beside a correct one
    public void Mixed_text_is_repaired_in_place(string broken, string expected) => Assert.Equal(expected, MojibakeRepair.Fix(broken));

    [Fact]
    public void Repair_runs_inside_the_clip_cleaner_and_the_tokenizer()
    {
        Assert.Equal("schön", ClipTextCleaner.Clean("SchÃ¶n"));
        Assert.Equal("the \"best\" café — ever", ClipTextCleaner.Clean("The â€œbestâ€\u009d cafÃ© â€” ever"));
        Assert.Equal("é", ClipTextCleaner.Clean("&Atilde;&copy;"));       // entities first, then mojibake (ftfy's order)
        Assert.Equal(ClipTextCleaner.Clean("São Paulo"), ClipTextCleaner.Clean("SÃ£o Paulo"));

        var tokenizer = new ClipTokenizer(BpeVocabulary.FromMerges(["s c", "sc h", "ö n</w>", "sch ön</w>"]));
        Assert.Equal(tokenizer.Encode("schön"), tokenizer.Encode("SchÃ¶n"));
        Assert.Equal(tokenizer.Tokenize("Ein schönes Bild").Ids, tokenizer.Tokenize("Ein schÃ¶nes Bild").Ids);
        Assert.NotEqual(tokenizer.Encode("schön"), tokenizer.Encode("schon"));
    }

    private static string Mangle(string text, string charset, int times)
    {
        var enc = charset == "latin-1" ? Encoding.Latin1 : CodePagesEncodingProvider.Instance.GetEncoding(int.Parse(charset["windows-".Length..]))!;
        for (int i = 0; i < times; i++) text = enc.GetString(Encoding.UTF8.GetBytes(text));
        return text;
    }
}
