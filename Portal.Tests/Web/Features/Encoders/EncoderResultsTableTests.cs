using Bunit;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Features.Encoders;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>The compact results table at the top of the encoder page: one line per result, metric named, threat model with its budget.</summary>
public sealed class EncoderResultsTableTests : ComponentTestContext
{
    [Fact]
    public void One_line_per_result_with_its_metric_threat_model_items_and_link()
    {
        var e = Encoder(1, "demo FARE");
        var twoAfc = Bench(1, "Demo 2AFC (procedural)");
        twoAfc.IsDemo = true;
        var retrieval = Bench(2, "rOxford5k");
        retrieval.TaskKind = TaskKind.Retrieval;
        retrieval.Splits = "medium,hard";
        var detection = Bench(3, "hazard signs");
        detection.TaskKind = TaskKind.Detection;
        var audit = new JobConfig { Attack = "audit", Norm = "linf", Eps = 4.0 / 255, Iterations = 100, Restarts = 5, Queries = 5000 };
        var results = new List<ResultRecord>
        {
            Result(e, twoAfc, Linf(4.0 / 255, 10), 0.75, 0.04),
            Result(e, twoAfc, Clean(), 0.75, null),
            Result(e, twoAfc, Linf(1.0 / 255, 10), 0.75, 0.337),
            Result(e, retrieval, Linf(4.0 / 255, 50, limit: 20), 0.749, 0.744),
            Result(e, detection, new JobConfig { Attack = "apgd", Norm = "linf", Eps = 8.0 / 255, Iterations = 200, Restarts = 1 }, 1.0, 0.5),
            Result(e, twoAfc, audit, 0.75, 0.03),
        };
        var lines = EncoderResultsSummary.Lines(results);
        Assert.Equal(5, lines.Count); // the audit keeps its own card
        Assert.Equal(["Demo 2AFC (procedural)", "Demo 2AFC (procedural)", "Demo 2AFC (procedural)", "hazard signs", "rOxford5k"], lines.Select(l => l.Benchmark));
        // Clean first, then by ε.
        Assert.Equal(["none (clean)", "L∞ 1/255 · APGD 10 it · 1 restart", "L∞ 4/255 · APGD 10 it · 1 restart"], lines.Take(3).Select(l => l.Setting));
        Assert.Null(lines[0].Robust);
        Assert.Equal(["2AFC accuracy", "detection rate", "mAP (Medium)"], lines.Select(l => l.Metric).Distinct().Order());

        var cut = Render<EncoderResultsTable>(p => p.Add(t => t.Lines, lines));
        var rows = cut.FindAll("tr.encoder-result-line");
        Assert.Equal(5, rows.Count);
        var second = rows[1];
        Assert.Equal("2AFC accuracy", second.QuerySelector(".line-metric")!.TextContent);
        Assert.Equal("75.0%", second.QuerySelector(".line-clean")!.TextContent);
        Assert.Equal("33.7%", second.QuerySelector(".line-robust")!.TextContent);
        Assert.Equal("L∞ 1/255 · APGD 10 it · 1 restart", second.QuerySelector(".line-setting")!.TextContent);
        Assert.Equal("2026-11-20", second.QuerySelector(".line-date")!.TextContent);
        Assert.Equal($"#result-{lines[1].ResultId}", second.QuerySelector("a.line-link")!.GetAttribute("href"));
        Assert.Equal("–", rows[0].QuerySelector(".line-robust")!.TextContent);
        Assert.NotNull(rows[0].QuerySelector(".demo-chip")); // the demo benchmark says so
        var retrievalRow = rows[4];
        Assert.Equal("100 (first 20)", retrievalRow.QuerySelector(".line-items")!.TextContent);
        Assert.Null(retrievalRow.QuerySelector(".demo-chip"));
    }

    [Fact]
    public void No_results_no_table()
    {
        var cut = Render<EncoderResultsTable>(p => p.Add(t => t.Lines, []));
        Assert.Empty(cut.FindAll("#encoder-results-summary"));
    }
}
