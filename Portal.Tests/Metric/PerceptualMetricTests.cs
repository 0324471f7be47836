using Portal.Engine.Images;
using Portal.Engine.Metric;
using Portal.Tests.Support;
using TorchSharp;

namespace Portal.Tests.Metric;

public class PerceptualMetricTests
{
    private static string WriteImage(string dir, string name, int seed)
    {
        var rng = new Random(seed);
        var rgb = new byte[40 * 30 * 3];
        rng.NextBytes(rgb);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, ImageIO.EncodePng(rgb, 40, 30));
        return path;
    }

    [Fact]
    public void Distance_is_sqrt_of_one_minus_cosine_and_zero_for_identical_inputs()
    {
        using var model = new EncoderMetric(new TinyConvEncoder());
        var metric = new PerceptualMetric(model, "tiny");
        var x = torch.rand(4, 3, 32, 32);
        var y = torch.rand(4, 3, 32, 32);
        var ex = metric.EmbedPixels(x);
        var ey = metric.EmbedPixels(y);
        var sim = metric.Similarity(ex, ey);
        var manual = (ex * ey).sum(1) / (ex.norm(1) * ey.norm(1));
        Assert.True((sim - manual).abs().max().item<float>() < 1e-5f);
        var d = metric.Distance(ex, ey);
        Assert.True((d - (1 - manual).sqrt()).abs().max().item<float>() < 1e-5f);
        Assert.True(metric.Distance(ex, ex).abs().max().item<float>() < 1e-3f);
    }

    [Fact]
    public void Cache_serves_repeated_images_by_content_and_survives_on_disk()
    {
        using var dir = new FixturePaths.TempDir();
        var a = WriteImage(dir.Path, "a.png", 1);
        var b = WriteImage(dir.Path, "b.png", 2);
        var aCopy = dir.File("a-copy.png");
        File.Copy(a, aCopy);
        var cacheDir = Path.Combine(dir.Path, "cache");

        var encoder = new TinyConvEncoder();
        using var model = new EncoderMetric(encoder);
        var key = PerceptualMetric.ModelKey("ckpt-sha", model);
        var cache1 = new EmbeddingCache(folder: cacheDir);
        var first = new PerceptualMetric(model, key, cache1).EmbedFiles([a, b, aCopy]);
        Assert.Equal(2, cache1.Count);
        Assert.Equal(1, encoder.Calls); // one batch; a-copy has a's bytes and is embedded once
        Assert.True((first[0] - first[2]).abs().max().item<float>() == 0f);

        // A fresh in-memory cache over the same folder: nothing recomputed.
        var cache2 = new EmbeddingCache(folder: cacheDir);
        var second = new PerceptualMetric(model, key, cache2).EmbedFiles([b, a]);
        Assert.Equal(1, encoder.Calls);
        Assert.Equal(2, cache2.Hits);
        Assert.True((second[0] - first[1]).abs().max().item<float>() == 0f);

        // Another checkpoint hash never reuses these entries.
        var other = PerceptualMetric.ModelKey("other-sha", model);
        new PerceptualMetric(model, other, new EmbeddingCache(folder: cacheDir)).EmbedFiles([a]);
        Assert.Equal(2, encoder.Calls);
    }
}
