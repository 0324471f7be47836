using Portal.Engine.Demo.World;
using Portal.Engine.Detection;
using Portal.Engine.Retrieval;
using Portal.Tests.Cli;
using Portal.Tests.Support;

namespace Portal.Tests.Demo;

/// <summary>
/// One demo-world writer for retrieval and detection (DemoTaskData): what it writes, the engine opens — through the
/// dataset readers and through `portal demo data` followed by the matching `portal eval` command.
/// </summary>
public class DemoDataLayoutTests
{
    [Fact]
    public void The_retrieval_writer_writes_what_the_revisitop_reader_opens_by_itself()
    {
        using var dir = new FixturePaths.TempDir();
        DemoTaskData.WriteRetrieval(dir.Path, queriesPerClass: 2);
        var ds = RetrievalDataset.Open(dir.Path);   // format detected from gnd_rworld.pkl
        Assert.Equal("rworld", ds.Format);
        Assert.Equal(WorldClasses.Count * 2, ds.Queries.Count);
        Assert.Equal(WorldClasses.Count * (DemoTaskData.Easy + DemoTaskData.Hard + DemoTaskData.Junk), ds.Database.Count);
    }

    [Fact]
    public void The_detection_writer_writes_what_the_detection_reader_opens()
    {
        using var dir = new FixturePaths.TempDir();
        DemoTaskData.WriteDetection(dir.Path, poolPerClass: 2);
        var ds = DetectionDataset.Open(dir.Path);
        Assert.Equal(["buffer", "safe", "unsafe"], ds.Classes.Order());
        Assert.All(ds.Pools.Values, p => Assert.Equal(2, p.Count));
    }

    [Fact]
    public void Demo_data_folders_open_with_the_eval_commands()
    {
        using var dir = new FixturePaths.TempDir();
        var made = CliRunner.Run("demo", "data", "--out", dir.Path, "--twoafc", "4", "--queries", "1", "--detection", "2");
        Assert.True(made.ExitCode == 0, made.Stderr);
        var twoAfc = CliRunner.Run("eval", "2afc", "--checkpoint", "builtin:pixel-l2", "--dataset", Path.Combine(dir.Path, "2afc"), "--json", dir.File("2afc.json"));
        Assert.True(twoAfc.ExitCode == 0, twoAfc.Stderr);
        Assert.Equal(4, twoAfc.Json.GetProperty("n").GetInt32());
        // Retrieval and detection embed with an encoder (no pixel baseline there): the mini ViT-B/32 fixture.
        var encoder = Path.Combine(FixturePaths.Encoder("openclip-vit-b32-mini"), "model.safetensors");
        var retrieval = CliRunner.Run("eval", "retrieval", "--checkpoint", encoder, "--dataset", Path.Combine(dir.Path, "retrieval"), "--json", dir.File("r.json"));
        Assert.True(retrieval.ExitCode == 0, retrieval.Stderr);
        Assert.Contains($"rworld: {WorldClasses.Count} queries", retrieval.Stderr);
        var detection = CliRunner.Run("eval", "detection", "--checkpoint", encoder, "--dataset", Path.Combine(dir.Path, "detection"), "--json", dir.File("d.json"));
        Assert.True(detection.ExitCode == 0, detection.Stderr);
    }
}
