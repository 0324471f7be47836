using Portal.Engine.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Encoders;

/// <summary>Embedding in a loop must not leak tensors or native memory (checked by counts, not time).</summary>
public class EncoderMemoryTests
{
    [Fact]
    public void Embedding_1000_images_does_not_grow_live_tensors_or_rss()
    {
        using var encoder = EncoderLoader.Load(EncoderFixtures.File("openclip-convnext-mini", "model.safetensors"));
        using var images = torch.rand(4, 3, 64, 64, generator: new Generator(1));

        void Step(bool backward)
        {
            using var scope = torch.NewDisposeScope();
            if (backward)
            {
                using var grad = torch.enable_grad();
                var x = images.clone().requires_grad_(true);
                var g = torch.autograd.grad([encoder.Forward(x).square().sum()], [x])[0];
                Assert.Equal(images.shape, g.shape);
            }
            else using (torch.no_grad()) encoder.Forward(images);
        }

        for (int i = 0; i < 10; i++) Step(i % 2 == 0); // warm-up: allocator pools, thread-local caches
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rssBefore = Rss();
        for (int i = 0; i < 250; i++) Step(backward: i % 5 == 0); // 250 batches × 4 = 1,000 images, every 5th with an input gradient
        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rssAfter = Rss();
        Assert.Equal(liveBefore, liveAfter);
        Assert.True(rssAfter - rssBefore < 64L << 20, $"RSS grew by {(rssAfter - rssBefore) >> 20} MiB");
        // The counter does see a tensor that outlives its step (so the equality above is meaningful).
        using var kept = torch.zeros(1);
        Assert.Equal(liveAfter + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    private static long Rss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }
}
