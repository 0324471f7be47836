using System.IO.Compression;
using Portal.Engine.Checkpoints;
using Portal.Engine.Checkpoints.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders;

/// <summary>
/// A generic encoder from a TorchScript module (<c>torch.jit.save</c>): <c>forward(images)</c> takes N×3×H×W
/// pixels in [0,1] and returns N×D, with normalisation inside the module; the resize/crop recipe comes from a
/// sidecar JSON (<see cref="TorchScriptRecipe"/>). TorchScript is code, so it is refused unless the operator
/// enables <see cref="EncoderLoadOptions.AllowTorchScript"/>.
/// Risk: libtorch may abort the whole process on some malformed archives or script errors instead of throwing.
/// The archive's zip layout, version and pickles are validated here first (with the data-only unpickler) to
/// catch damaged files before libtorch sees them; code that is well-formed but wrong can still fail natively.
/// </summary>
public sealed class TorchScriptEncoder : IImageEncoder
{
    private readonly jit.ScriptModule<Tensor, Tensor> _module;
    private readonly ScalarType _dtype;

    public EncoderInfo Info { get; }
    public Device Device { get; }

    private TorchScriptEncoder(jit.ScriptModule<Tensor, Tensor> module, EncoderInfo info, Device device, ScalarType dtype)
    {
        _module = module;
        Info = info;
        Device = device;
        _dtype = dtype;
    }

    public static TorchScriptEncoder Load(string path, EncoderLoadOptions options)
    {
        if (!options.AllowTorchScript)
            throw new CheckpointFormatException(
                $"{path}: TorchScript modules are code and are refused unless the operator allows them (--allow-torchscript, Engine:AllowTorchScript)");
        if (!File.Exists(path)) throw new CheckpointFormatException($"TorchScript module not found: {path}");
        var kind = CheckpointLoader.Detect(path);
        if (kind != CheckpointLoader.Kind.TorchScript)
            throw new CheckpointFormatException($"{path}: not a TorchScript module (detected {kind})");
        var version = ValidateArchive(path);
        var recipe = TorchScriptRecipe.Load(path);
        var device = options.Device ?? CPU;

        jit.ScriptModule<Tensor, Tensor> module;
        try { module = jit.load<Tensor, Tensor>(path, device); }
        catch (Exception e) { throw new CheckpointFormatException($"{path}: libtorch could not load the TorchScript module: {FirstLine(e.Message)}", e); }
        try
        {
            module.eval();
            if (options.DType != ScalarType.Float32) module.to(options.DType);
            foreach (var p in module.parameters()) p.requires_grad = false;
            var dim = Probe(module, recipe, device, options.DType, path);
            var info = new EncoderInfo(recipe.Name ?? "torchscript", "torchscript", dim,
                module.parameters().Sum(p => p.numel()), options.Preprocessing ?? recipe.ToPreprocessing())
            {
                Details = new Dictionary<string, string>
                {
                    ["sidecar"] = recipe.SidecarPath,
                    ["archive_version"] = version.ToString(),
                    ["normalisation"] = "inside the module",
                },
            };
            return new TorchScriptEncoder(module, info, device, options.DType);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    public Tensor Forward(Tensor pixels)
    {
        if (pixels.dim() != 4 || pixels.shape[1] != 3)
            throw new ArgumentException($"TorchScript encoder expects N×3×H×W pixels, got [{string.Join(",", pixels.shape)}]");
        using var scope = NewDisposeScope();
        var x = pixels.to(_dtype, Device);
        var y = _module.forward(x);
        CheckOutput(y, pixels.shape[0], Info.EmbeddingDim, "TorchScript module");
        return y.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public void Dispose() => _module.Dispose();

    /// <summary>One forward pass on a blank batch: proves the module runs and learns D (checked against the sidecar).</summary>
    private static int Probe(jit.ScriptModule<Tensor, Tensor> m, TorchScriptRecipe r, Device device, ScalarType dtype, string path)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor y;
        try { y = m.forward(full(new long[] { 1, 3, r.ImageHeight, r.ImageWidth }, 0.5, dtype: dtype, device: device)); }
        catch (Exception e) { throw new CheckpointFormatException($"{path}: forward(1×3×{r.ImageHeight}×{r.ImageWidth}) failed: {FirstLine(e.Message)}", e); }
        CheckOutput(y, 1, r.EmbeddingDim, path);
        return (int)y.shape[1];
    }

    private static void CheckOutput(Tensor y, long n, int? dim, string what)
    {
        if (y.dim() != 2 || y.shape[0] != n)
            throw new CheckpointFormatException($"{what}: forward must return N×D embeddings, got [{string.Join(",", y.shape)}] for N={n}");
        if (dim is { } d && y.shape[1] != d)
            throw new CheckpointFormatException($"{what}: forward returns D={y.shape[1]} but the sidecar says embedding_dim {d}");
    }

    /// <summary>
    /// Checks what libtorch would otherwise trip over: one top folder, data.pkl, constants.pkl, code/, a numeric
    /// version, and pickles that parse (any global is accepted as a name here; nothing is invoked) with every
    /// referenced storage record present and large enough.
    /// </summary>
    internal static long ValidateArchive(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var layout = TorchArchiveLayout.Find(zip) ?? throw new CheckpointFormatException($"{path}: TorchScript archive has no data.pkl");
            var tops = zip.Entries.Select(e => e.FullName.Split('/')[0]).Distinct().ToList();
            if (tops.Count != 1) throw new CheckpointFormatException($"{path}: TorchScript archive has several top folders ({string.Join(", ", tops)})");
            if (!zip.Entries.Any(e => e.FullName.StartsWith(layout.Prefix + "code/", StringComparison.Ordinal) && e.FullName.EndsWith(".py", StringComparison.Ordinal)))
                throw new CheckpointFormatException($"{path}: TorchScript archive has no code/*.py");
            var versionEntry = layout.Entry(zip, "version") ?? layout.Entry(zip, ".data/version")
                ?? throw new CheckpointFormatException($"{path}: TorchScript archive has no version record");
            var text = ReadSmall(versionEntry, 32, path).Trim();
            if (!long.TryParse(text, out var version) || version < 1 || version > 64)
                throw new CheckpointFormatException($"{path}: TorchScript archive version '{text}' is not a supported number");
            foreach (var (pkl, folder) in new[] { ("data.pkl", "data/"), ("constants.pkl", "constants/") })
            {
                var entry = layout.Entry(zip, pkl) ?? throw new CheckpointFormatException($"{path}: TorchScript archive has no {pkl}");
                if (entry.Length > TorchZipCheckpoint.MaxPickleBytes) throw new CheckpointFormatException($"{path}: {pkl} is too large");
                var bytes = new byte[entry.Length];
                using (var s = entry.Open()) s.ReadExactly(bytes);
                RestrictedUnpickler.Load(bytes, $"{path}:{entry.FullName}", GlobalPolicy.AnyAsInertName, null, pid =>
                {
                    if (pid is not PyTuple { Count: >= 5 } t || t[0] is not "storage" || t[2] is not string key || t[4] is not long numel || numel < 0)
                        throw new CheckpointFormatException($"persistent id {PickleText.Describe(pid)} is not a storage reference");
                    var record = layout.Entry(zip, folder + key) ?? layout.Entry(zip, "data/" + key)
                        ?? throw new CheckpointFormatException($"storage '{key}' has no record in the archive");
                    var dtype = t[1] is PyGlobal g && PickleGlobals.TryStorageType(g, out var dt) ? dt : TorchDType.U8;
                    var sref = new StorageRef(key, dtype, numel, t[3] as string ?? "");
                    if (record.Length < TorchStorage.ByteLength(sref, path))
                        throw new CheckpointFormatException($"storage '{key}' is shorter than declared");
                    return sref;
                });
            }
            return version;
        }
        catch (Exception e) when (e is InvalidDataException or IOException and not FileNotFoundException)
        {
            throw new CheckpointFormatException($"{path}: damaged TorchScript archive ({e.Message})", e);
        }
    }

    private static string ReadSmall(ZipArchiveEntry e, int max, string path)
    {
        if (e.Length > max) throw new CheckpointFormatException($"{path}: record '{e.FullName}' is too large");
        using var s = new StreamReader(e.Open());
        return s.ReadToEnd();
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}
