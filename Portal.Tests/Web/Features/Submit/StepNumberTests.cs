using Bunit;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Submit;

namespace Portal.Tests.Web.Features.Submit;

/// <summary>The submit page's step marker: the step's number until it is done, then a check mark in the success colour.</summary>
public sealed class StepNumberTests : ComponentTestContext
{
    [Fact]
    public void A_step_not_done_shows_its_number_in_the_primary_colour()
    {
        var cut = Render<StepNumber>(p => p.Add(x => x.N, 2).Add(x => x.Done, false));
        var avatar = cut.Find(".mud-avatar");
        Assert.Equal("2", avatar.TextContent.Trim());
        Assert.Empty(avatar.QuerySelectorAll("svg"));
        Assert.Contains(avatar.ClassList, c => c.EndsWith("-primary", StringComparison.Ordinal));
    }

    [Fact]
    public void A_done_step_shows_a_check_mark_instead_of_its_number()
    {
        var cut = Render<StepNumber>(p => p.Add(x => x.N, 2).Add(x => x.Done, true));
        var avatar = cut.Find(".mud-avatar");
        Assert.Equal("", avatar.TextContent.Trim());
        Assert.NotEmpty(avatar.QuerySelectorAll("svg"));
        Assert.Contains(avatar.ClassList, c => c.EndsWith("-success", StringComparison.Ordinal));
    }
}
