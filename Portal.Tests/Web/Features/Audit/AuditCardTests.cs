using Bunit;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Audit;
using static Portal.Tests.Web.Support.WebTestData;

namespace Portal.Tests.Web.Features.Audit;

/// <summary>The audit card on the encoder page: verdict, the three robust accuracies, a line per check, what it cost.</summary>
public sealed class AuditCardTests : ComponentTestContext
{
    private static AuditView View(bool passed, double? cost)
    {
        var config = new JobConfig { Attack = "audit", Norm = "linf", Eps = 4.0 / 255, Iterations = 100, Restarts = 5, Queries = 1000 };
        var r = Result(Encoder(1, "FARE"), Bench(), config, 0.85, 0.61);
        r.WallSeconds = 321.4;
        return new AuditView(r, passed, passed ? "no sign" : "Square Attack is stronger than APGD",
            [("eps_curve_reaches_zero", true, "robust accuracy reaches 0 at large ε"), ("square_not_stronger", passed, "Square Attack finds no more than APGD")],
            [new AuditCurve.Point(4, 61, "4/255")], [new AuditCurve.Point(100, 61, "100 iterations")], 0.6234, passed ? 0.65 : 0.5, 0.61, cost);
    }

    [Fact]
    public void A_passed_audit_shows_its_verdict_numbers_checks_and_cost()
    {
        var view = View(passed: true, cost: 7.2);
        var cut = Render<AuditCard>(p => p.Add(x => x.View, view));

        var card = cut.Find($"#audit-{view.Result.Id}");
        Assert.Equal("true", card.GetAttribute("data-passed"));
        Assert.Equal("no sign of gradient masking", cut.Find(".audit-verdict").TextContent.Trim());
        Assert.Contains("Attack audit · NIGHTS test · L∞ ε = 4/255", cut.Markup);
        var percents = cut.FindAll("tbody tr td:last-child").Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal(["62.3", "65.0", "61.0"], percents);
        Assert.All(cut.FindAll(".audit-check"), c => Assert.StartsWith("✓", c.TextContent.Trim()));
        Assert.Contains("321 s on cpu (7.2× one APGD run)", cut.Markup);
        Assert.Contains("APGD 100 iterations, 5 restarts, Square 1000 queries", cut.Markup);
    }

    [Fact]
    public void A_failed_check_is_marked_and_the_card_warns()
    {
        var view = View(passed: false, cost: null);
        var cut = Render<AuditCard>(p => p.Add(x => x.View, view));

        Assert.Equal("false", cut.Find(".audit-card").GetAttribute("data-passed"));
        Assert.Equal("warning", cut.Find(".audit-verdict").TextContent.Trim());
        var checks = cut.FindAll(".audit-check").Select(c => c.TextContent.Trim()).ToArray();
        Assert.StartsWith("✓", checks[0]);
        Assert.StartsWith("⚠ Square Attack finds no more than APGD", checks[1]);
        Assert.DoesNotContain("one APGD run", cut.Markup);
    }

    [Fact]
    public void A_missing_attack_number_is_a_dash()
    {
        var view = View(passed: true, cost: null) with { Square = double.NaN };
        var cut = Render<AuditCard>(p => p.Add(x => x.View, view));
        Assert.Equal("–", cut.FindAll("tbody tr")[1].QuerySelector("td:last-child")!.TextContent.Trim());
    }
}
