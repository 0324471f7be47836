using Bunit;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Galleries;
using static Portal.Tests.Web.Support.WebTestData;

namespace Portal.Tests.Web.Features.Galleries;

/// <summary>The cross-scores heat map: a row per reconstructing encoder, a column per scoring one, three decimals, "–" where unscored.</summary>
public sealed class HeatMapTableTests : ComponentTestContext
{
    [Fact]
    public void An_empty_map_says_there_is_nothing_yet_and_draws_no_table()
    {
        var cut = Render<HeatMapTable>(p => p.Add(x => x.Map, new HeatMap([], [])));
        Assert.Empty(cut.FindAll("table"));
        Assert.Contains("No finished inversions", cut.Markup);
    }

    [Fact]
    public void Cells_show_three_decimals_a_dash_where_unscored_and_long_names_are_shortened()
    {
        var longName = "An encoder with a rather long display name";
        var map = new HeatMap([Encoder(1, "CLIP"), Encoder(2, longName)], [[0.91234, null], [0.4, 1.0]]);
        var cut = Render<HeatMapTable>(p => p.Add(x => x.Map, map));

        Assert.Equal(["0.912", "–", "0.400", "1.000"], cut.FindAll("td.heat-cell").Select(td => td.TextContent).ToArray());
        var heads = cut.FindAll("thead th").Skip(1).ToList();
        Assert.Equal("CLIP", heads[0].TextContent);
        Assert.Equal(longName[..29] + "…", heads[1].TextContent);
        Assert.Equal(longName, heads[1].GetAttribute("title"));
        Assert.Equal("CLIP's reconstructions scored by " + longName + ": not scored yet", cut.FindAll("td.heat-cell")[1].GetAttribute("title"));
        Assert.Equal("background: transparent", cut.FindAll("td.heat-cell")[1].GetAttribute("style"));
    }

    [Theory]
    [InlineData(null, "background: transparent")]
    [InlineData(-0.3, "background: rgb(255,255,255); color: #222")]
    [InlineData(1.0, "background: rgb(0,121,107); color: #fff")]
    [InlineData(0.5, "background: rgb(127,188,181); color: #222")]
    public void Colour_runs_from_white_to_teal_with_white_text_on_the_dark_end(double? cosine, string style) =>
        Assert.Equal(style, HeatMapTable.Colour(cosine));
}
