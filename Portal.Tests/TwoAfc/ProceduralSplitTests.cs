using Portal.Engine.Datasets;
using Portal.Engine.TwoAfc;
using Portal.Engine.Demo;
using Portal.Engine.Demo.World;
using Portal.Tests.Support;

namespace Portal.Tests.TwoAfc;

/// <summary>Generated 2AFC rows are named for what they are ("procedural"), not NIGHTS' test_imagenet / test_no_imagenet.</summary>
public sealed class ProceduralSplitTests
{
    [Fact]
    public void The_portal_demo_generator_writes_the_procedural_split()
    {
        using var dir = new FixturePaths.TempDir();
        var spec = new DemoTwoAfcGenerator.DemoSpec(6, 16, 1);
        Assert.Equal(NightsReader.ProceduralSplit, spec.Split);
        DemoTwoAfcGenerator.EnsureGenerated(dir.Path, spec);
        var load = NightsReader.Load(dir.Path, spec.Split);
        Assert.Equal(6, load.Items.Count);
        Assert.All(load.Items, i => Assert.Equal("procedural", i.Split));
        Assert.Empty(load.Bad);
        // Not NIGHTS' test split, and never its ImageNet halves.
        Assert.Empty(NightsReader.Load(dir.Path, "test").Items);
        Assert.Empty(NightsReader.Load(dir.Path, "test_imagenet").Items);
    }

    [Fact]
    public void Nights_test_rows_still_split_by_is_imagenet()
    {
        using var dir = new FixturePaths.TempDir();
        var spec = new DemoTwoAfcGenerator.DemoSpec(6, 16, 1, NightsSplits: true);
        Assert.Equal("test", spec.Split);
        DemoTwoAfcGenerator.EnsureGenerated(dir.Path, spec);
        Assert.Equal(["test_imagenet", "test_no_imagenet"], NightsReader.Load(dir.Path, "test").Items.Select(i => i.Split).Distinct().Order());
        Assert.Empty(NightsReader.Load(dir.Path, NightsReader.ProceduralSplit).Items);
    }

    [Fact]
    public void The_demo_world_2afc_folder_is_procedural_too()
    {
        using var dir = new FixturePaths.TempDir();
        DemoWorldBenchmarks.WriteTwoAfc(dir.Path, 4);
        var load = NightsReader.Load(dir.Path, NightsReader.ProceduralSplit);
        Assert.Equal(4, load.Items.Count);
        Assert.All(load.Items, i => Assert.Equal("procedural", i.Split));
    }
}
