using Portal.Engine.Retrieval;

namespace Portal.Tests.Retrieval;

/// <summary>revisitop's compute_map on cases worked out by hand (trapezoid AP, junk removal, Medium vs Hard, empty queries).</summary>
public class RevisitopMapTests
{
    // Query A: easy {0}, hard {2}, junk {1}; ranking 1,0,3,2,4,5.
    //  Medium: ok {0,2}, junk {1}: adjusted positions 0 and 2 → AP = ½·(1+1)/2 + ½·(1/2+2/3)/2 = 0.5 + 0.291666… = 0.791666…
    //  Hard:   ok {2}, junk {1,0}: adjusted position 3−2 = 1 → AP = (0/1 + 1/2)/2 = 0.25
    // Query B: easy {3}, no hard, no junk; ranking 3,…
    //  Medium: AP = 1; Hard: no positives → NaN, left out of the mean.
    private static readonly RevisitopQuery A = new("a", [0, 0, 1, 1], Easy: [0], Hard: [2], Junk: [1]);
    private static readonly RevisitopQuery B = new("b", [0, 0, 1, 1], Easy: [3], Hard: [], Junk: []);
    private static readonly int[] RankA = [1, 0, 3, 2, 4, 5];
    private static readonly int[] RankB = [3, 0, 1, 2, 4, 5];

    [Fact]
    public void Medium_and_hard_ap_match_hand_computation()
    {
        var med = RevisitopMap.Compute([RankA, RankB], [A, B], RevisitopProtocol.Medium, [1, 5]);
        Assert.Equal(0.5 + (0.5 + 2.0 / 3) / 4, med.Aps[0], 12);
        Assert.Equal(1.0, med.Aps[1], 12);
        Assert.Equal((med.Aps[0] + 1.0) / 2, med.Map, 12);
        Assert.Equal(0, med.EmptyQueries);
        // P@1: both queries have a positive at (adjusted) position 1. P@5: A: κq = min(3,5) = 3 → 2/3; B: κq = 1 → 1.
        Assert.Equal(1.0, med.MeanPrecisionAt[0], 12);
        Assert.Equal((2.0 / 3 + 1) / 2, med.MeanPrecisionAt[1], 12);

        var hard = RevisitopMap.Compute([RankA, RankB], [A, B], RevisitopProtocol.Hard);
        Assert.Equal(0.25, hard.Aps[0], 12);
        Assert.True(double.IsNaN(hard.Aps[1]));
        Assert.Equal(1, hard.EmptyQueries);
        Assert.Equal(0.25, hard.Map, 12);   // divided by nq − nempty = 1
    }

    [Fact]
    public void Junk_is_removed_from_the_ranking_not_counted_as_negative()
    {
        // Positive at position 3 behind three junk items: AP must be 1, exactly as if the junk were absent.
        var q = new RevisitopQuery("q", [0, 0, 1, 1], Easy: [7], Hard: [], Junk: [4, 5, 6]);
        Assert.Equal(1.0, RevisitopMap.AveragePrecision([4, 5, 6, 7, 0], [7], [4, 5, 6]), 12);
        // Without the junk declaration the same ranking gives (0/3 + 1/4)/2 = 0.125.
        Assert.Equal(0.125, RevisitopMap.AveragePrecision([4, 5, 6, 7, 0], [7], []), 12);
        // Easy counts as junk under Hard: an easy image above the hard one does not hurt Hard AP.
        var h = new RevisitopQuery("h", [0, 0, 1, 1], Easy: [0], Hard: [1], Junk: []);
        var (ok, junk) = RevisitopMap.Labels(h, RevisitopProtocol.Hard);
        Assert.Equal(1.0, RevisitopMap.AveragePrecision([0, 1, 2], ok, junk), 12);
        (ok, junk) = RevisitopMap.Labels(h, RevisitopProtocol.Medium);
        Assert.Equal(1.0, RevisitopMap.AveragePrecision([0, 1, 2], ok, junk), 12);
        (ok, junk) = RevisitopMap.Labels(h, RevisitopProtocol.Medium);
        // Medium, hard image first then a negative then easy: positions 0 and 2 → ½ + ½·(1/2 + 2/3)/2.
        Assert.Equal(0.5 + (0.5 + 2.0 / 3) / 4, RevisitopMap.AveragePrecision([1, 2, 0], ok, junk), 12);
        Assert.NotNull(q);
    }

    [Fact]
    public void Query_crop_rounds_like_PIL_and_pads_outside_with_black()
    {
        using var img = TorchSharp.torch.arange(1, 3 * 4 * 5 + 1, TorchSharp.torch.ScalarType.Float32).reshape(3, 4, 5);
        // Python round: 0.5 → 0, 1.5 → 2, 3.5 → 4, 10 → 10 (half to even).
        Assert.Equal((0, 2, 4, 10), QueryCrop.PixelBox([0.5, 1.5, 3.5, 10]));
        using var c = QueryCrop.Apply(img, [0.5, 1.5, 3.5, 10]);
        Assert.Equal(new long[] { 3, 8, 4 }, c.shape);
        Assert.Equal(img[0, 2, 0].item<float>(), c[0, 0, 0].item<float>());
        Assert.Equal(img[2, 3, 3].item<float>(), c[2, 1, 3].item<float>());
        Assert.Equal(0f, c[TorchSharp.torch.TensorIndex.Colon, TorchSharp.torch.TensorIndex.Slice(2)].abs().sum().item<float>());   // rows 4..9 lie below the image
    }
}
