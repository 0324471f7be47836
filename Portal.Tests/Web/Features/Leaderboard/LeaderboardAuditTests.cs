using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Features.Leaderboard;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>Audits on the board (issue 16, item 3): a badge and the best-known number beside APGD's, never in its place.</summary>
public sealed class LeaderboardAuditTests
{
    private static JobConfig Audit(string norm = "linf", double eps = 4.0 / 255) =>
        new() { Attack = "audit", Norm = norm, Eps = eps, Iterations = 100, Queries = 5000, Restarts = 5, Limit = 500 };

    [Fact]
    public void A_rows_audit_sets_its_badge_and_best_known_while_the_column_keeps_apgds_number()
    {
        var b = Bench();
        var fare = Encoder(1, "FARE");
        var masked = Encoder(2, "Masked");
        var plain = Encoder(3, "Not audited");
        var warned = Result(masked, b, Audit(), 0.8, 0.05);
        warned.FullJson = """{"passed": false, "verdict": "warning: the black-box Square Attack is stronger than APGD by 55 points"}""";
        var ok = Result(fare, b, Audit(), 0.85, 0.61);
        ok.FullJson = """{"passed": true, "verdict": "no sign of gradient masking"}""";
        var results = new List<ResultRecord>
        {
            Result(fare, b, Linf(), 0.85, 0.62), ok,
            Result(masked, b, Linf(), 0.80, 0.60), warned,
            Result(plain, b, Linf(), 0.80, 0.10),
            // An audit at another radius is not this column's.
            Result(plain, b, Audit(eps: 8.0 / 255), 0.8, 0.0),
        };
        var board = LeaderboardBuilder.ForBenchmark(b, [fare, masked, plain], results, []);
        var f = board.Rows.Single(r => r.Encoder == "FARE");
        var m = board.Rows.Single(r => r.Encoder == "Masked");
        var p = board.Rows.Single(r => r.Encoder == "Not audited");
        Assert.Equal(0.62, f.Linf);              // APGD's number stays in the column
        Assert.True(f.LinfAudit!.Passed);
        Assert.Equal(0.61, f.LinfAudit.WorstCase);
        Assert.Equal(0.60, m.Linf);
        Assert.False(m.LinfAudit!.Passed);
        Assert.Contains("Square Attack is stronger", m.LinfAudit.Verdict);
        Assert.Null(p.LinfAudit);
        Assert.Null(f.L2Audit);
        Assert.Equal("4/255", board.LinfEps); // audits do not change the column's ε

        var csv = LeaderboardExport.Csv(board, board.Rows).Split('\n');
        Assert.Contains("linf_audit", csv[0]);
        Assert.Contains(csv, l => l.Contains("Masked") && l.Contains(",warning,0.05,"));
    }
}
