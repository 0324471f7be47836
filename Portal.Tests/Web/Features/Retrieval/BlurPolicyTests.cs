using System.Text.RegularExpressions;
using Bunit;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Retrieval;

namespace Portal.Tests.Web.Features.Retrieval;

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
    public void Every_gallery_component_that_renders_an_image_asks_the_same_policy()
    {
        // Galleries draw images only through InversionTile, which asks SensitiveBlur.ShouldBlur; the server's GalleryBlur too.
        var dir = Path.Combine(RepoRoot(), "Portal.Web", "Features", "Galleries");
        var renderers = Directory.EnumerateFiles(dir, "*.razor", SearchOption.AllDirectories)
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"<img\b", RegexOptions.IgnoreCase)).ToList();
        Assert.Equal(["InversionTile.razor"], renderers.Select(Path.GetFileName));
        Assert.Contains("SensitiveBlur.ShouldBlur", File.ReadAllText(renderers[0]));
        Assert.Contains("SensitiveBlur.ShouldBlur", File.ReadAllText(Path.Combine(dir, "GalleryBlur.cs")));
        // Every page that shows a gallery tile passes the target's class on.
        foreach (var page in new[] { "EncoderGalleryPage.razor", "CompareGalleryPage.razor" })
            Assert.All(Regex.Matches(File.ReadAllText(Path.Combine(dir, page)), @"<InversionTile [^>]*/>").Select(m => m.Value), tile => Assert.Contains("SensitiveClass=", tile));
    }

    [Fact]
    public void A_sensitive_targets_original_and_reconstructions_are_blurred_in_galleries()
    {
        var original = Render<Portal.Web.Features.Galleries.InversionTile>(p => p.Add(t => t.Src, "/artifacts/galleries/1/targets/06-hazard.png").Add(t => t.Original, true).Add(t => t.SensitiveClass, true));
        Assert.Equal("true", original.Find("img").GetAttribute("data-sensitive"));
        Assert.Contains("sign in to reveal", original.Find(".ex-locked").TextContent);
        var run = Render<Portal.Web.Features.Galleries.InversionTile>(p => p.Add(t => t.Src, "/artifacts/galleries/1/inversions/06-hazard-seed0.png").Add(t => t.SensitiveClass, true).Add(t => t.CanReveal, true));
        Assert.Equal("true", run.Find("img").GetAttribute("data-sensitive"));
        Assert.DoesNotContain("reveal=1", run.Find("img").GetAttribute("src"));
        run.Find("button.ex-reveal").Click();
        Assert.EndsWith("?reveal=1", run.Find("img").GetAttribute("src"));
        var plain = Render<Portal.Web.Features.Galleries.InversionTile>(p => p.Add(t => t.Src, "/artifacts/galleries/1/targets/00-disc.png").Add(t => t.Original, true));
        Assert.Equal("false", plain.Find("img").GetAttribute("data-sensitive"));
        Assert.Empty(plain.FindAll(".ex-locked, .ex-reveal"));
    }

    [Fact]
    public void The_server_blurs_a_sensitive_targets_files_by_the_index()
    {
        var enc = new Portal.Engine.Inversion.InversionEncoderEntry("e", "c", "s", "a", null, 64, 64, 64);
        var settings = new Portal.Engine.Inversion.InversionSettingsEntry("APGD", "o", "l2", 28.57, 5, 1, "grey", 0.5, 0.01, [0]);
        var index = new Portal.Engine.Inversion.InversionIndex("features", 1, DateTime.UnixEpoch, enc, settings,
            [new("06-hazard") { Image = "targets/06-hazard.png" }, new("00-disc") { Image = "targets/00-disc.png" }],
            [new("06-hazard", 0, "inversions/06-hazard-seed0.png", 0.1, 0.9, 20), new("00-disc", 0, "inversions/00-disc-seed0.png", 0.1, 0.9, 20)], 1);
        var sensitive = new HashSet<string> { "06-hazard" };
        Assert.True(Portal.Web.Features.Galleries.GalleryBlur.ShouldBlur(index, sensitive, "targets/06-hazard.png"));
        Assert.True(Portal.Web.Features.Galleries.GalleryBlur.ShouldBlur(index, sensitive, "inversions/06-hazard-seed0.png"));
        Assert.False(Portal.Web.Features.Galleries.GalleryBlur.ShouldBlur(index, sensitive, "targets/00-disc.png"));
        Assert.False(Portal.Web.Features.Galleries.GalleryBlur.ShouldBlur(index, sensitive, "inversions/00-disc-seed0.png"));
        Assert.Equal(ImageRole.Reconstruction, Portal.Web.Features.Galleries.GalleryBlur.RoleOf(index, "inversions/06-hazard-seed0.png")!.Value.Role);
        // The demo gallery marks its hazard sign, the detection demo's unsafe class.
        Assert.Equal(["06-hazard"], Portal.Web.Features.Galleries.DemoGalleries.SensitiveTargetIds);
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
