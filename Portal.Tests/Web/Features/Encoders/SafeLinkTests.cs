using Bunit;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Encoders;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>A submitter's link is a real link only for http(s); javascript:, data: and the like stay plain text.</summary>
public sealed class SafeLinkTests : ComponentTestContext
{
    [Theory]
    [InlineData("https://arxiv.org/abs/2402.12336")]
    [InlineData("http://example.org/paper.pdf")]
    public void A_web_url_is_a_link_that_opens_in_a_new_tab_without_referrer(string url)
    {
        var cut = Render<SafeLink>(p => p.Add(x => x.Url, url));
        var a = cut.Find("a");
        Assert.Equal(url, a.GetAttribute("href"));
        Assert.Equal("_blank", a.GetAttribute("target"));
        Assert.Contains("noopener", a.GetAttribute("rel"));
        Assert.Contains("nofollow", a.GetAttribute("rel"));
        Assert.Equal(url, a.TextContent.Trim());
        Assert.Empty(cut.FindAll(".unsafe-link"));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("ftp://example.org/file")]
    public void Anything_else_is_shown_as_text_never_as_a_link(string url)
    {
        var cut = Render<SafeLink>(p => p.Add(x => x.Url, url));
        Assert.Empty(cut.FindAll("a"));
        Assert.Equal(url, cut.Find("span.unsafe-link").TextContent);
    }

    [Fact]
    public void No_url_is_a_dash()
    {
        var cut = Render<SafeLink>(p => p.Add(x => x.Url, null));
        Assert.Empty(cut.FindAll("a"));
        Assert.Equal("–", cut.Find("span").TextContent);
    }
}
