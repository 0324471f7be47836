using Portal.Engine.Checkpoints;
using Portal.Engine.Metric;
using Portal.Engine.Retrieval;
using Portal.Tests.Checkpoints;
using Portal.Tests.Support;

namespace Portal.Tests.Retrieval;

/// <summary>A gnd pickle in Python's format (protocol 2, numpy arrays for bbx/easy as numpy writes them) read end to end.</summary>
public class RevisitopDatasetTests
{
    /// <summary>numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') + BUILD(state), as pickle.dump writes an ndarray.</summary>
    private static PickleBuilder Numpy(PickleBuilder p, string dtype, long[] shape, byte[] data) =>
        p.Global("numpy.core.multiarray", "_reconstruct").Global("numpy", "ndarray").Int(0).Tuple1()
            .Global("_codecs", "encode").Str("b").Str("latin1").Tuple2().Reduce().Tuple3().Reduce()
            .Mark().Int(1).IntTuple(shape)
            .Global("numpy", "dtype").Str(dtype).Bool(false).Bool(true).Tuple3().Reduce()
            .Mark().Int(3).Str("<").None().None().None().Int(-1).Int(-1).Int(0).Tuple().Build()
            .Bool(false)
            .Global("_codecs", "encode").Str(new string(data.Select(b => (char)b).ToArray())).Str("latin1").Tuple2().Reduce()
            .Tuple().Build();

    private static PickleBuilder IntList(PickleBuilder p, params long[] xs)
    {
        p.EmptyList();
        if (xs.Length == 0) return p;
        p.Mark();
        foreach (var x in xs) p.Int(x);
        return p.Op((byte)'e');   // APPENDS
    }

    /// <summary>{'imlist': [...], 'qimlist': [...], 'gnd': [{'bbx': ndarray f8, 'easy': ndarray i8, 'hard': [..], 'junk': [..]}, ...]}</summary>
    public static byte[] GndPickle(string[] imlist, string[] qimlist, (double[] Bbx, long[] Easy, long[] Hard, long[] Junk)[] gnd, bool withJunk = true)
    {
        var p = new PickleBuilder().Proto(2).EmptyDict().Mark();
        p.Str("imlist").EmptyList();
        foreach (var n in imlist) p.Str(n).Append();
        p.Str("qimlist").EmptyList();
        foreach (var n in qimlist) p.Str(n).Append();
        p.Str("gnd").EmptyList();
        foreach (var g in gnd)
        {
            p.EmptyDict().Str("bbx");
            Numpy(p, "f8", [4], g.Bbx.SelectMany(BitConverter.GetBytes).ToArray()).SetItem();
            p.Str("easy");
            Numpy(p, "i8", [g.Easy.Length], g.Easy.SelectMany(BitConverter.GetBytes).ToArray()).SetItem();
            p.Str("hard");
            IntList(p, g.Hard).SetItem();
            if (withJunk) { p.Str("junk"); IntList(p, g.Junk).SetItem(); }
            p.Append();
        }
        return p.SetItems().Stop().ToArray();
    }

    [Fact]
    public void Gnd_pickle_reads_through_the_restricted_unpickler()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("gnd_roxford5k.pkl");
        File.WriteAllBytes(path, GndPickle(["db0", "db1", "db2"], ["q0", "q1"],
            [([1.5, 2.5, 10.0, 12.0], [0, 2], [1], []), ([0, 0, 5, 5], [], [], [2])]));
        var gt = RevisitopGroundTruth.Load(path);
        Assert.Equal(["db0", "db1", "db2"], gt.ImList);
        Assert.Equal("q1", gt.Queries[1].Name);
        Assert.Equal([1.5, 2.5, 10.0, 12.0], gt.Queries[0].Bbx);
        Assert.Equal([0, 2], gt.Queries[0].Easy);
        Assert.Equal([1], gt.Queries[0].Hard);
        Assert.Equal([2], gt.Queries[1].Junk);
        Assert.Empty(gt.Queries[1].Easy);

        // junk is optional (revisitop treats a missing key as none); an out-of-range index is named with its key.
        File.WriteAllBytes(path, GndPickle(["db0"], ["q0"], [([0, 0, 5, 5], [0], [], [])], withJunk: false));
        Assert.Empty(RevisitopGroundTruth.Load(path).Queries[0].Junk);
        File.WriteAllBytes(path, GndPickle(["db0"], ["q0"], [([0, 0, 5, 5], [3], [], [])]));
        var e = Assert.Throws<CheckpointFormatException>(() => RevisitopGroundTruth.Load(path));
        Assert.Contains("gnd[0] (q0).easy[0] = 3", e.Message);
        File.WriteAllBytes(path, GndPickle(["db0"], ["q0", "q1"], [([0, 0, 5, 5], [0], [], [])]));
        Assert.Contains("'gnd' has 1 entries but 'qimlist' names 2", Assert.Throws<CheckpointFormatException>(() => RevisitopGroundTruth.Load(path)).Message);
    }

    [Fact]
    public void Revisitop_run_crops_queries_and_reports_map_as_compute_map_does()
    {
        using var dir = new FixturePaths.TempDir();
        (double, double, double)[] colours = [(1, 0, 0), (0.9, 0.1, 0), (0, 1, 0), (0, 0.9, 0.2), (0, 0, 1), (0.1, 0.1, 0.9)];
        var imlist = colours.Select((_, i) => $"db{i}").ToArray();
        for (int i = 0; i < colours.Length; i++) RetrievalTestData.WritePng(dir.File($"jpg/db{i}.jpg"), colours[i], i);
        // Query images: left half red, right half blue; the bbx selects one half, so the crop decides the answer.
        foreach (var (name, seed) in new[] { ("q0", 10), ("q1", 11) })
        {
            var rgb = new byte[16 * 16 * 3];
            for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) rgb[3 * (y * 16 + x) + (x < 8 ? 0 : 2)] = 230;
            File.WriteAllBytes(dir.File($"jpg/{name}.jpg"), global::Portal.Engine.Images.ImageIO.EncodePng(rgb, 16, 16));
        }
        File.WriteAllBytes(dir.File("gnd_roxford5k.pkl"), GndPickle(imlist, ["q0", "q1"],
            [([0, 0, 7.5, 16], [0], [1], [4]), ([8.4, 0, 16, 16], [5], [4], [])]));

        var ds = RetrievalDataset.Open(dir.Path);
        Assert.Equal("roxford5k", ds.Format);
        using var model = new EncoderMetric(new MeanColourEncoder());
        var embedder = new RetrievalEmbeddings(model, "mean-colour");
        var r = RetrievalTask.Run(embedder, ds, new RetrievalOptions(), null, null, CancellationToken.None);

        // Red crop: db0 and db1 are the two reddest → Medium AP 1, Hard (ok db1, junk db0+db4) AP 1.
        Assert.Equal("db0", r.Queries[0].CleanTop[0].Id);
        Assert.Equal("easy", r.Queries[0].CleanTop[0].Label);
        Assert.Contains(r.Queries[1].CleanTop[0].Id, new[] { "db4", "db5" });
        // The task's mAP must equal compute_map on its own rankings.
        var rankings = ds.Queries.Select(q =>
        {
            using var x = RetrievalImages.Prepare(q, model.Preprocessing);
            using var e = embedder.Embed(x);
            using var db = embedder.EmbedImages(ds.Database, "db", null, CancellationToken.None);
            return (IReadOnlyList<int>)Ranking.Descending(db.matmul(e.t()).flatten().data<float>().ToArray());
        }).ToList();
        foreach (var p in RetrievalTask.Protocols)
            Assert.Equal(RevisitopMap.Compute(rankings, ds.GroundTruth!.Queries, p).Map, r.MapClean![RetrievalTask.Key(p)], 12);
        Assert.Equal(1.0, r.MapClean!["medium"], 12);
        Assert.Null(r.MapRobust);
    }
}
