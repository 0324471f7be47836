using Bunit;
using Portal.Engine.Inversion;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Galleries;

namespace Portal.Tests.Web.Features.Galleries;

/// <summary>A gallery image: a sensitive target's images arrive blurred; only someone allowed to may reveal one, per image.</summary>
public sealed class InversionTileTests : ComponentTestContext
{
    [Fact]
    public void A_sensitive_image_is_blurred_and_an_anonymous_visitor_is_told_to_sign_in()
    {
        var cut = Render<InversionTile>(p => p.Add(x => x.Src, "/artifacts/results/7/inversions/06-hazard-seed0.png").Add(x => x.SensitiveClass, true));
        var img = cut.Find("img");
        Assert.Equal("true", img.GetAttribute("data-sensitive"));
        Assert.Equal("inv-blurred", img.GetAttribute("class"));
        Assert.Equal("/artifacts/results/7/inversions/06-hazard-seed0.png", img.GetAttribute("src"));
        Assert.Contains("sign in to reveal", cut.Find(".ex-locked").TextContent);
        Assert.Empty(cut.FindAll("button.ex-reveal"));
    }

    [Fact]
    public void Revealing_asks_the_server_for_the_original_of_that_image_only()
    {
        var cut = Render<InversionTile>(p => p.Add(x => x.Src, "/a/targets/06-hazard.png").Add(x => x.SensitiveClass, true)
            .Add(x => x.CanReveal, true).Add(x => x.Original, true));
        Assert.Contains("inv-original", cut.Find(".inv-tile").ClassList);
        cut.Find("button.ex-reveal").Click();
        var img = cut.Find("img");
        Assert.Equal("/a/targets/06-hazard.png?reveal=1", img.GetAttribute("src"));
        Assert.Equal("", img.GetAttribute("class"));
        Assert.Empty(cut.FindAll("button.ex-reveal"));
    }

    [Fact]
    public void An_image_of_another_class_is_shown_as_it_is_with_its_caption()
    {
        var cut = Render<InversionTile>(p => p.Add(x => x.Src, "/a/inversions/00-disc-seed1.png").Add(x => x.Caption, "cos 0.912"));
        Assert.Equal("false", cut.Find("img").GetAttribute("data-sensitive"));
        Assert.Empty(cut.FindAll(".ex-locked"));
        Assert.Empty(cut.FindAll("button"));
        Assert.Equal("cos 0.912", cut.Find(".inv-caption").TextContent);
    }

    [Fact]
    public void Caption_and_details_name_the_cosine_and_the_perturbation()
    {
        var entry = new InversionResultEntry("00-disc", 1, "inversions/00-disc-seed1.png", 0.1234, 0.9126, 12.34);
        Assert.Equal("cos 0.913", InversionTile.Cos(entry));
        Assert.Equal("seed 1: cosine 0.123 → 0.913, ‖δ‖₂ = 12.3", InversionTile.Details(entry));
    }
}
