using System.Text.RegularExpressions;
using Bunit;
using Portal.Web.Features.Retrieval;
using Portal.Tests.Web;

namespace Portal.Tests.RetrievalWeb;

/// <summary>The one blur policy (SensitiveBlur.ShouldBlur) and that every image-rendering component goes through it.</summary>
public sealed class BlurPolicyTests : ComponentTestContext
{
    [Theory]
    [InlineData(ImageRole.Query, true, true)]
    [InlineData(ImageRole.Adversarial, true, true)]
    [InlineData(ImageRole.Neighbour, true, true)]
    [InlineData(ImageRole.GalleryOriginal, true, true)]
    [InlineData(ImageRole.Reconstruction, true, true)]
    [InlineData(ImageRole.Perturbation, true, false)]
    [InlineData(ImageRole.Query, false, false)]
    [InlineData(ImageRole.Neighbour, false, false)]
    [InlineData(ImageRole.Perturbation, false, false)]
    public void Sensitive_class_images_are_blurred_and_the_perturbation_never(ImageRole role, bool sensitiveClass, bool blurred) =>
        Assert.Equal(blurred, SensitiveBlur.ShouldBlur(role, sensitiveClass));

    [Fact]
    public void Every_viewer_component_that_renders_an_image_asks_the_policy()
    {
        // The viewers (Features/Retrieval) draw evidence images only through ExampleTile, which applies the rule.
        var dir = Path.Combine(RepoRoot(), "Portal.Web", "Features", "Retrieval");
        var renderers = Directory.EnumerateFiles(dir, "*.razor", SearchOption.AllDirectories)
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"<img\b", RegexOptions.IgnoreCase)).ToList();
        Assert.Equal(["ExampleTile.razor"], renderers.Select(Path.GetFileName));
        Assert.Contains("SensitiveBlur.ShouldBlur", File.ReadAllText(renderers[0]));
        Assert.Contains("SensitiveBlur.ShouldBlur", File.ReadAllText(Path.Combine(dir, "EvidenceFiles.cs")));
    }

    [Fact]
    public void Sensitive_perturbation_tile_is_not_blurred_but_its_query_is()
    {
        var query = Render<ExampleTile>(p => p.Add(t => t.ResultId, 1).Add(t => t.Image, "q.png").Add(t => t.Role, ImageRole.Query).Add(t => t.SensitiveClass, true));
        Assert.Equal("true", query.Find("img").GetAttribute("data-sensitive"));
        Assert.Contains("ex-blurred", query.Find("img").ClassName);
        var delta = Render<ExampleTile>(p => p.Add(t => t.ResultId, 1).Add(t => t.Image, "d.png").Add(t => t.Role, ImageRole.Perturbation).Add(t => t.SensitiveClass, true));
        Assert.Equal("false", delta.Find("img").GetAttribute("data-sensitive"));
        Assert.Empty(delta.FindAll(".ex-locked, .ex-reveal"));
    }

    [Fact]
    public void Legend_names_every_frame_and_label_the_viewer_uses()
    {
        var legend = Render<ExampleLegend>();
        var text = legend.Find("#ex-legend").TextContent;
        foreach (var word in new[] { "query", "adversarial", "perturbation", "easy", "hard", "junk", "negative", "blurred" })
            Assert.Contains(word, text);
        // The swatches are the tiles' own classes.
        foreach (var css in new[] { ".ex-query", ".ex-adversarial", ".ex-perturbation", ".ex-changed", ".ex-label-junk", ".ex-label-negative" })
            Assert.NotEmpty(legend.FindAll(css));
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d != null && !File.Exists(Path.Combine(d.FullName, "Portal.sln"))) d = d.Parent;
        return d?.FullName ?? throw new DirectoryNotFoundException("Portal.sln not found above the test binaries");
    }
}
