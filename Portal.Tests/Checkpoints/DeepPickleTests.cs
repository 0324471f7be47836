using System.Diagnostics;
using Portal.Engine.Checkpoints;
using Portal.Engine.Checkpoints.Pickle;
using Portal.Tests.Support;

namespace Portal.Tests.Checkpoints;

/// <summary>
/// Small pickles that nest values a million deep (1-tuples need no MARK, so the MARK bound never sees them).
/// Before the depth bound these overflowed the stack in hashing or walking, killing the process; now each is
/// refused while unpickling, quickly, with the depth and the file in the message.
/// </summary>
public class DeepPickleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Limit = 500; // PickleLimits.Default.MaxNestingDepth

    /// <summary>A state dict with one real tensor, plus an entry whose key or value is <paramref name="deep"/>.</summary>
    private static byte[] StateDictWith(Action<PickleBuilder> deep, bool deepIsKey, bool legacy = false)
    {
        var p = new PickleBuilder().Proto(4).EmptyDict().Str("w");
        if (legacy) TorchLegacyWriter.Tensor(p, "FloatStorage", "0", 2, [2], [1]); else p.Tensor("FloatStorage", "0", 2, 0, [2], [1]);
        p.SetItem();
        if (deepIsKey) { deep(p); p.Int(1); }
        else { p.Str("extra"); deep(p); }
        return p.SetItem().Stop().ToArray();
    }

    private static void Tuple1s(PickleBuilder p, int n)
    {
        p.EmptyTuple();
        for (int i = 0; i < n; i++) p.Tuple1();
    }

    private static void Lists(PickleBuilder p, int n)
    {
        for (int i = 0; i < n; i++) p.EmptyList();
        for (int i = 0; i < n - 1; i++) p.Append();
    }

    private static void Dicts(PickleBuilder p, int n)
    {
        for (int i = 0; i < n; i++) { p.EmptyDict(); if (i < n - 1) p.Str("k"); }
        for (int i = 0; i < n - 1; i++) p.SetItem();
    }

    /// <summary>argparse.Namespace(argparse.Namespace(...(None))) by REDUCE of an allowed global.</summary>
    private static void Reduces(PickleBuilder p, int n)
    {
        p.Global("argparse", "Namespace").Put(0).Pop();
        for (int i = 0; i < n; i++) p.Get(0);
        p.None();
        for (int i = 0; i < n; i++) p.Tuple1().Reduce();
    }

    /// <summary>Namespace objects, each given the next as its state by BUILD.</summary>
    private static void Builds(PickleBuilder p, int n)
    {
        p.Global("argparse", "Namespace").Put(0).Pop();
        for (int i = 0; i < n; i++) p.Get(0).EmptyTuple().NewObj();
        for (int i = 0; i < n - 1; i++) p.Build();
    }

    public static TheoryData<string, bool> Shapes => new()
    {
        { "tuple1", false }, { "tuple1", true }, { "lists", false }, { "dicts", false }, { "reduce", false }, { "build", false },
    };

    private static Action<PickleBuilder> Deep(string shape, int n) => shape switch
    {
        "tuple1" => p => Tuple1s(p, n),
        "lists" => p => Lists(p, n),
        "dicts" => p => Dicts(p, n),
        "reduce" => p => Reduces(p, n),
        _ => p => Builds(p, n),
    };

    private void AssertRefusedFast(string path, Func<object?> load)
    {
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<CheckpointFormatException>(load);
        sw.Stop();
        output.WriteLine($"{Path.GetFileName(path)} ({new FileInfo(path).Length / 1024} KiB) refused in {sw.Elapsed.TotalMilliseconds:F0} ms: {e.Message}");
        Assert.Contains($"nests deeper than {Limit} levels", e.Message);
        Assert.Matches(@"reached depth \d+", e.Message);
        Assert.Contains(path, e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"refusal took {sw.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Million_deep_value_in_a_torch_zip_is_refused_fast(string shape, bool asKey)
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File($"deep-{shape}.pth");
        // Lists, dicts and objects need a few bytes per level; 10^5 levels keep those files small.
        var n = shape == "tuple1" ? 1_000_000 : 100_000;
        TorchZipWriter.Write(path, StateDictWith(Deep(shape, n), asKey), new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1, 2) });
        AssertRefusedFast(path, () => CheckpointLoader.Load(path));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Million_deep_value_in_a_legacy_checkpoint_is_refused_fast(string shape, bool asKey)
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File($"deep-{shape}.pt");
        var n = shape == "tuple1" ? 1_000_000 : 100_000;
        TorchLegacyWriter.Write(path, StateDictWith(Deep(shape, n), asKey, legacy: true), [("0", 2, TorchZipWriter.Floats(1, 2))]);
        AssertRefusedFast(path, () => CheckpointLoader.Load(path));
    }

    [Fact]
    public void Deep_tuple_plain_data_pickle_is_refused_fast()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("deep.pkl");
        var p = new PickleBuilder().Proto(4).EmptyDict();
        Tuple1s(p, 1_000_000);
        File.WriteAllBytes(path, p.Int(1).SetItem().Stop().ToArray());
        AssertRefusedFast(path, () => PickleReader.LoadPlainData(path));
    }

    /// <summary>
    /// Lists made first and nested afterwards (L[i+1].append(L[i]) from the outside in): each append's recorded
    /// depth is 2, yet the chain is 10^5 deep. The final iterative check catches it, and the cycle variant.
    /// </summary>
    [Fact]
    public void Nesting_built_after_containment_and_cycles_are_caught_by_the_final_check()
    {
        using var dir = new FixturePaths.TempDir();
        const uint n = 100_000;
        var p = new PickleBuilder().Proto(4).EmptyDict().Str("w").Tensor("FloatStorage", "0", 2, 0, [2], [1]).SetItem().Str("chain");
        for (uint i = 0; i <= n; i++) p.EmptyList().LongPut(i).Pop();
        for (uint i = n; i > 0; i--) p.LongGet(i).LongGet(i - 1).Append().Pop();
        var chain = dir.File("chain.pth");
        TorchZipWriter.Write(chain, p.LongGet(n).SetItem().Stop().ToArray(), new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1, 2) });
        AssertRefusedFast(chain, () => CheckpointLoader.Load(chain));

        // a = []; b = [a]; a.append(b): a cycle through two lists.
        var cyc = new PickleBuilder().Proto(4).EmptyDict().Str("w").Tensor("FloatStorage", "0", 2, 0, [2], [1]).SetItem().Str("cycle")
            .EmptyList().Put(1).EmptyList().Get(1).Append().Append().SetItem().Stop().ToArray();
        var cycle = dir.File("cycle.pth");
        TorchZipWriter.Write(cycle, cyc, new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1, 2) });
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(cycle));
        Assert.Contains("refers to itself", e.Message);
        Assert.Contains(cycle, e.Message);
    }

    [Fact]
    public void Nesting_within_the_limit_still_loads_and_the_limit_is_configurable()
    {
        using var dir = new FixturePaths.TempDir();
        var path = dir.File("ok.pth");
        // Depth: dict 1 → tuple 2 … ; 400 tuple levels under the root dict stay within 500.
        TorchZipWriter.Write(path, StateDictWith(p => Tuple1s(p, 400), deepIsKey: true), new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.Floats(1, 2) });
        using (var sd = CheckpointLoader.Load(path)) Assert.Equal(["w"], sd.Keys);

        var strict = new CheckpointLoadOptions { PickleLimits = new PickleLimits { MaxNestingDepth = 50 } };
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path, strict));
        Assert.Contains("nests deeper than 50 levels (reached depth 51", e.Message);
    }

    [Fact]
    public void Hashing_and_equality_of_a_very_deep_tuple_use_no_recursion()
    {
        static PyTuple Chain(int n, long leaf)
        {
            var t = new PyTuple([leaf]);
            for (int i = 0; i < n; i++) t = new PyTuple([t]);
            return t;
        }
        // Deep enough that a recursive hash or equality overflows any thread's stack.
        var a = Chain(300_000, 1);
        var b = Chain(300_000, 1);
        var c = Chain(300_000, 2);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals(b));
        Assert.False(a.Equals(c));
        var keys = new HashSet<object?>(PyKeyComparer.Instance) { a };
        Assert.Contains(b, keys);
        Assert.DoesNotContain(c, keys);
    }
}
