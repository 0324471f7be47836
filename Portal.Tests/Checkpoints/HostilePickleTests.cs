using Portal.Engine.Checkpoints;
using Portal.Engine.Checkpoints.Pickle;
using Portal.Tests.Support;

namespace Portal.Tests.Checkpoints;

/// <summary>Pickles that try to run code: each is refused by the global's name, and a marker file proves nothing ran.</summary>
public class HostilePickleTests
{
    public static TheoryData<string, string, bool> Payloads => new()
    {
        { "os", "system", false },
        { "posix", "system", false },
        { "nt", "system", true },
        { "builtins", "eval", false },
        { "builtins", "exec", true },
        { "subprocess", "Popen", false },
        { "subprocess", "check_output", true },
        { "builtins", "getattr", false },
        { "torch.storage", "_load_from_bytes", false },
        { "torch", "UntypedStorage", true },
    };

    private static byte[] CallingPickle(string module, string name, string marker, bool stackGlobal)
    {
        var p = new PickleBuilder().Proto(stackGlobal ? 4 : 2);
        if (stackGlobal) p.StackGlobal(module, name); else p.Global(module, name);
        // A dict around the call, as a state dict would hold it.
        return new PickleBuilder().Proto(stackGlobal ? 4 : 2).EmptyDict().Str("weight")
            .Raw(p.ToArray()[2..]).Str($"touch {marker}").Tuple1().Reduce().SetItem().Stop().ToArray();
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Torch_zip_calling_a_global_is_refused_by_name_and_nothing_runs(string module, string name, bool stackGlobal)
    {
        using var dir = new FixturePaths.TempDir();
        var marker = dir.File("executed");
        var path = dir.File("evil.pth");
        TorchZipWriter.Write(path, CallingPickle(module, name, marker, stackGlobal), new Dictionary<string, byte[]>());
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path));
        Assert.Contains($"'{module}.{name}'", e.Message);
        Assert.Contains("allow-list", e.Message);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Plain_data_pickle_calling_a_global_is_refused_by_name(string module, string name, bool stackGlobal)
    {
        using var dir = new FixturePaths.TempDir();
        var marker = dir.File("executed");
        var path = dir.File("gnd.pkl");
        File.WriteAllBytes(path, CallingPickle(module, name, marker, stackGlobal));
        var e = Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path));
        Assert.Contains($"{module}.{name}", e.Message);
        Assert.Contains(path, e.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Protocol0_inst_opcode_naming_os_system_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var marker = dir.File("executed");
        var path = dir.File("p0.pkl");
        File.WriteAllBytes(path, new PickleBuilder().Mark().Ascii($"S'touch {marker}'\n").Ascii("ios\nsystem\n").Stop().ToArray());
        var e = Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(path));
        Assert.Contains("os.system", e.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Reconstructor_cannot_smuggle_a_class_and_tensor_rebuilders_are_not_plain_data()
    {
        using var dir = new FixturePaths.TempDir();
        var a = dir.File("a.pkl");
        File.WriteAllBytes(a, new PickleBuilder().Proto().Global("copyreg", "_reconstructor")
            .Global("collections", "OrderedDict").Global("builtins", "object").None().Tuple3().Reduce().Stop().ToArray());
        Assert.Contains("copyreg._reconstructor", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(a)).Message);

        var b = dir.File("b.pkl");
        File.WriteAllBytes(b, new PickleBuilder().Proto().Global("torch._utils", "_rebuild_tensor_v2").Stop().ToArray());
        Assert.Contains("torch._utils._rebuild_tensor_v2", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(b)).Message);

        var c = dir.File("c.pth"); // an allowed name that is not a data builder, REDUCE'd
        TorchZipWriter.Write(c, new PickleBuilder().Proto().Global("torch", "FloatStorage").EmptyTuple().Reduce().Stop().ToArray(), new Dictionary<string, byte[]>());
        Assert.Contains("torch.FloatStorage", Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(c)).Message);
    }

    [Fact]
    public void Extension_registry_and_out_of_band_buffers_are_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var a = dir.File("a.pkl");
        File.WriteAllBytes(a, new PickleBuilder().Proto().Op(0x82).Op(1).Stop().ToArray());
        Assert.Contains("extension registry", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(a)).Message);
        File.WriteAllBytes(a, new PickleBuilder().Proto(5).Op(0x97).Stop().ToArray());
        Assert.Contains("out-of-band", Assert.Throws<CheckpointFormatException>(() => PickleReader.LoadPlainData(a)).Message);
    }
}
