using Bunit;
using Portal.Engine.Retrieval;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Retrieval;

namespace Portal.Tests.Web.Features.Retrieval;

/// <summary>One example's numbers: AP clean → attacked for retrieval, the decisions and whether the attack won for detection.</summary>
public sealed class ExampleFactsTests : ComponentTestContext
{
    [Fact]
    public void Retrieval_shows_ap_clean_to_attacked_in_percent_and_no_decisions()
    {
        var item = new EvidenceItem { Id = "q1", Query = "q1.png", Clean = [], ApClean = 0.8123, ApAdversarial = 0.05 };
        var cut = Render<ExampleFacts>(p => p.Add(x => x.Item, item));
        Assert.Equal("AP (Medium) 81.2 → 5.0", cut.Find(".ex-ap").TextContent.Trim());
        Assert.Empty(cut.FindAll(".ex-clean-decision"));
    }

    [Fact]
    public void An_unattacked_or_undefined_ap_shows_what_is_known()
    {
        var clean = Render<ExampleFacts>(p => p.Add(x => x.Item, new EvidenceItem { Id = "q", Query = "q.png", Clean = [], ApClean = 0.5 }));
        Assert.Equal("AP (Medium) 50.0", clean.Find(".ex-ap").TextContent.Trim());
        var nan = Render<ExampleFacts>(p => p.Add(x => x.Item, new EvidenceItem { Id = "q", Query = "q.png", Clean = [], ApClean = double.NaN }));
        Assert.Equal("AP (Medium) n/a", nan.Find(".ex-ap").TextContent.Trim());
    }

    [Fact]
    public void Detection_colours_a_correct_clean_decision_and_a_successful_targeted_attack()
    {
        var won = new EvidenceItem { Id = "d", Query = "d.png", Clean = [], TrueClass = "cat", CleanDecision = "cat", Target = "dog", AdversarialDecision = "dog" };
        var cut = Render<ExampleFacts>(p => p.Add(x => x.Item, won));
        Assert.Equal("clean → cat", cut.Find(".ex-clean-decision").TextContent.Trim());
        Assert.Contains(cut.Find(".ex-clean-decision").ClassList, c => c.EndsWith("-success", StringComparison.Ordinal));
        Assert.Equal("attack towards dog → dog", cut.Find(".ex-adv-decision").TextContent.Trim());
        Assert.Contains(cut.Find(".ex-adv-decision").ClassList, c => c.EndsWith("-error", StringComparison.Ordinal));

        var held = won with { CleanDecision = "fox", AdversarialDecision = "cat" };
        var cut2 = Render<ExampleFacts>(p => p.Add(x => x.Item, held));
        Assert.Contains(cut2.Find(".ex-clean-decision").ClassList, c => c.EndsWith("-warning", StringComparison.Ordinal));
        Assert.Contains(cut2.Find(".ex-adv-decision").ClassList, c => c.EndsWith("-success", StringComparison.Ordinal));
        Assert.Empty(cut2.FindAll(".ex-ap"));
    }
}
