using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Reported;
using Portal.Tests.Support;

namespace Portal.Tests.Web.Features.Reported;

/// <summary>The shipped tables import completely and idempotently; the reader refuses malformed input, naming line and column.</summary>
public sealed class ReportedImportTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private const string Header = "table,method,encoder,training,benchmark,split,metric,threat,eps,value,reference,note";

    private PortalDbContext Db()
    {
        var b = new DbContextOptionsBuilder<PortalDbContext>();
        SqliteSetup.Configure(b, _dir.File("portal.db"));
        var db = new PortalDbContext(b.Options);
        SqliteSetup.Migrate(db);
        return db;
    }

    /// <summary>Data lines per table, as the shipped README counts them (table rows × value columns).</summary>
    public static readonly Dictionary<string, int> Expected = new()
    {
        ["I"] = 150, ["II"] = 102, ["III"] = 156, ["IV"] = 16, ["VI"] = 12, ["VII"] = 25, ["VIII"] = 192, ["IX"] = 136, ["X"] = 39,
        ["XI"] = 54, ["XII"] = 13, ["XIII"] = 387, ["XIV"] = 301, ["XV"] = 602,
    };

    [Fact]
    public async Task The_shipped_tables_import_with_every_row_and_again_change_nothing()
    {
        var files = ReportedImporter.ShippedFiles(ReportedImporter.RobustClipMetrics).Select(f => f.Name).ToList();
        Assert.Equal(Expected.Keys.Select(t => $"table_{t}.csv"), files);
        Assert.Contains("six cells", ReportedImporter.ShippedReadme(ReportedImporter.RobustClipMetrics)!.Replace("Six cells", "six cells"));

        await using var db = Db();
        var first = await ReportedImporter.ImportShippedAsync(db);
        Assert.Equal((2185, 2185, 0, 0), (first.Rows, first.Added, first.Updated, first.Removed));
        var counts = await db.ReportedResults.GroupBy(r => r.Table).Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N);
        Assert.Equal(Expected.OrderBy(kv => kv.Key), counts.OrderBy(kv => kv.Key));

        // Provenance and the value both as printed and parsed.
        var r = await db.ReportedResults.SingleAsync(x => x.Table == "XV" && x.Method == "R-CLIP_T" && x.Encoder == "ConvNeXt-B" && x.Training == "zero-shot" && x.Split == "deblur" && x.Threat == "l2");
        Assert.Equal(("4.30", 4.3, "arXiv:2502.11725", "table_XV.csv"), (r.ValueText, r.Value!.Value, r.Paper, r.Source));
        Assert.Equal("Adversarially Robust CLIP Models Can Induce Better (Robust) Perceptual Metrics", r.PaperTitle);
        var first1 = await db.ReportedResults.SingleAsync(x => x.Table == "I" && x.Row == 1);
        Assert.Equal(("DINO", "ViT-B/16", "zero-shot", "NIGHTS", "test", "clean", "", "90.2", "[8]"),
            (first1.Method, first1.Encoder, first1.Training, first1.Benchmark, first1.Split, first1.Threat, first1.Eps, first1.ValueText, first1.Reference));
        Assert.Equal("28.41", (await db.ReportedResults.SingleAsync(x => x.Table == "XI" && x.Value == 28.41)).ValueText);
        // Five "-" (no number), each with its note.
        var dashes = await db.ReportedResults.Where(x => x.ValueText == "-").ToListAsync();
        Assert.Equal(5, dashes.Count);
        Assert.All(dashes, d => { Assert.Null(d.Value); Assert.Equal("II", d.Table); Assert.Contains("not available", d.Note); });

        var again = await ReportedImporter.ImportShippedAsync(db);
        Assert.Equal((2185, 0, 0, 2185, 0), (again.Rows, again.Added, again.Updated, again.Unchanged, again.Removed));
        Assert.Equal(2185, await db.ReportedResults.CountAsync());
    }

    [Fact]
    public async Task The_six_contradictions_keep_their_notes_on_both_sides()
    {
        await using var db = Db();
        await ReportedImporter.ImportShippedAsync(db);
        var all = await db.ReportedResults.ToListAsync();
        var flagged = all.Where(x => ReportedCsv.FlagsContradiction(x.Note)).ToList();
        // Six disagreements between two tables, each flagged in both: I vs XV, II vs XIV, four LipSim cells II vs XV.
        Assert.Equal(12, flagged.Count);
        Assert.Equal(["I:1", "II:5", "XIV:1", "XV:5"], flagged.GroupBy(x => x.Table).OrderBy(g => ReportedCsv.TableOrder(g.Key)).Select(g => $"{g.Key}:{g.Count()}"));
        var i = flagged.Single(x => x.Table == "I");
        Assert.Equal(("13.9", "R-CLIP_F", "ViT-B/32", "LoRA on NIGHTS", "l2"), (i.ValueText, i.Method, i.Encoder, i.Training, i.Threat));
        Assert.Contains("19.9", i.Note);
        Assert.Contains("13.9", flagged.Single(x => x.Table == "XV" && x.Method == "R-CLIP_F").Note);
        Assert.Contains("69.6", flagged.Single(x => x.Table == "II" && x.Method == "DreamSim (CLIP)").Note);
        Assert.Equal(4, flagged.Count(x => x.Table == "II" && x.Method.StartsWith("LipSim (Margin")));
    }

    [Fact]
    public async Task A_changed_file_updates_its_rows_in_place_and_drops_rows_it_no_longer_has()
    {
        var path = _dir.File("table_T1.csv");
        File.WriteAllText(path, $"{Header}\nT1,M,E,zero-shot,B,test,2afc_accuracy,clean,,70.1,[1],\nT1,M,E,zero-shot,B,test,2afc_accuracy,linf,4/255,10.0,[1],\"a note, with a comma and \"\"quotes\"\"\"\n");
        await using var db = Db();
        var s1 = await ReportedImporter.ImportAsync(db, "doi:10/x", "A paper", "table_T1.csv", ReportedCsv.Read(path));
        Assert.Equal((2, 2), (s1.Rows, s1.Added));
        Assert.Equal("a note, with a comma and \"quotes\"", (await db.ReportedResults.SingleAsync(r => r.Row == 2)).Note);
        var id = (await db.ReportedResults.SingleAsync(r => r.Row == 1)).Id;

        File.WriteAllText(path, $"{Header}\nT1,M,E,zero-shot,B,test,2afc_accuracy,clean,,70.2,[1],corrected\n");
        var s2 = await ReportedImporter.ImportAsync(db, "doi:10/x", null, "table_T1.csv", ReportedCsv.Read(path));
        Assert.Equal((1, 0, 1, 1), (s2.Rows, s2.Added, s2.Updated, s2.Removed));
        db.ChangeTracker.Clear();
        var row = await db.ReportedResults.SingleAsync(r => r.Paper == "doi:10/x");
        Assert.Equal((id, "70.2", 70.2, "corrected", "A paper"), (row.Id, row.ValueText, row.Value!.Value, row.Note, row.PaperTitle));
    }

    public static TheoryData<string, int, string?, string> Malformed => new()
    {
        { "table,method,encoder\nI,a,b\n", 1, null, "header must be" },
        { $"{Header}\nI,M,E,zero-shot,B,test,2afc_accuracy,clean,,70.1,[1]\n", 2, null, "11 fields, expected 12" },
        { $"{Header}\nI,M,E,zero-shot,B,test,2afc_accuracy,clean,,70.1,,\nI,M,E,zero-shot,B,test,2afc_accuracy,clean,,seventy,,\n", 3, "value", "not a number" },
        { $"{Header}\nI,M,E,zero-shot,B,test,2afc_accuracy,pgd,,70.1,,\n", 2, "threat", "not one of clean, linf, l2" },
        { $"{Header}\nI,M,E,zero-shot,B,test,2afc_accuracy,linf,,70.1,,\n", 2, "eps", "not a radius" },
        { $"{Header}\nI,M,E,zero-shot,B,test,2afc_accuracy,clean,4/255,70.1,,\n", 2, "eps", "clean result has no" },
        { $"{Header}\nI,M,E,zero-shot,B,test,2afc_accuracy,clean,,-,,\n", 2, "value", "needs a note" },
        { $"{Header}\nI,,E,zero-shot,B,test,2afc_accuracy,clean,,70.1,,\n", 2, "method", "must not be empty" },
        { $"{Header}\nI,M,E,zero-shot,B,test,2afc_accuracy,clean,,70.1,,\"unterminated\n", 2, "note", "not closed" },
        { $"{Header}\nI,M,E,zero-shot,B,te\"st,2afc_accuracy,clean,,70.1,,\n", 2, "split", "quote inside an unquoted field" },
        { $"{Header}\nI,M,E\u202E,zero-shot,B,test,2afc_accuracy,clean,,70.1,,\n", 2, "encoder", "invisible" },
        { $"{Header}\nI II,M,E,zero-shot,B,test,2afc_accuracy,clean,,70.1,,\n", 2, "table", "not a table number" },
        { $"{Header}\n", 1, null, "no data rows" },
        { "", 1, null, "empty file" },
        { $"{Header}\nI,M,E,zero-shot,B,test,2afc_accuracy,clean,,70.1,,{new string('x', 9000)}\n", 2, null, "line longer than" },
    };

    [Theory, MemberData(nameof(Malformed))]
    public void Malformed_csv_is_refused_with_its_line_and_column(string text, int line, string? column, string message)
    {
        var e = Assert.Throws<ReportedCsvException>(() => ReportedCsv.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "t.csv"));
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"t.csv line {line}", e.Message);
    }

    [Fact]
    public void Hostile_files_fail_fast_on_size_rows_and_bytes()
    {
        var big = _dir.File("big.csv");
        using (var f = File.Create(big)) f.SetLength(ReportedCsv.MaxFileBytes + 1);
        Assert.Contains("at most", Assert.Throws<ReportedCsvException>(() => ReportedCsv.Read(big)).Message);

        var sb = new StringBuilder(Header + "\n");
        for (var i = 0; i <= ReportedCsv.MaxRows; i++) sb.Append("I,M,E,t,B,s,m,clean,,1,,\n");
        var e = Assert.Throws<ReportedCsvException>(() => ReportedCsv.Read(new MemoryStream(Encoding.UTF8.GetBytes(sb.ToString())), "many.csv"));
        Assert.Contains($"more than {ReportedCsv.MaxRows} rows", e.Message);

        var latin1 = Encoding.UTF8.GetBytes(Header + "\nI,M,E,t,B,s,m,clean,,1,,caf").Concat(new byte[] { 0xE9, (byte)'\n' }).ToArray();
        Assert.Contains("not UTF-8", Assert.Throws<ReportedCsvException>(() => ReportedCsv.Read(new MemoryStream(latin1), "l.csv")).Message);
    }

    [Fact]
    public void Quoted_fields_with_commas_a_bom_and_crlf_are_read()
    {
        var text = "\uFEFF" + Header + "\r\nI,\"DreamSim (CLIP)\",\"ViT-B/16 (×3)\",LoRA on NIGHTS,BAPPS,mean of 6 splits,2afc_accuracy,l2,3,13.9,\"[15]; [40]\",\"robust, averaged\"\r\n";
        var row = ReportedCsv.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "q.csv").Single();
        Assert.Equal((1, 2, "DreamSim (CLIP)", "ViT-B/16 (×3)", "[15]; [40]", "robust, averaged", 13.9), (row.Row, row.Line, row.Method, row.Encoder, row.Reference, row.Note, row.Value!.Value));
    }

    public void Dispose() => _dir.Dispose();
}
