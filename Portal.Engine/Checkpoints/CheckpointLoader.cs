using System.IO.Compression;
using System.Text;
using Portal.Engine.Checkpoints.Pickle;
using static TorchSharp.torch;

namespace Portal.Engine.Checkpoints;

/// <summary>Options for reading a checkpoint file into a state dict.</summary>
public sealed record CheckpointLoadOptions
{
    /// <summary>Checkpoint formats that are code (TorchScript) are refused unless the operator allows them.</summary>
    public bool AllowTorchScript { get; init; }
    /// <summary>Floating-point tensors are converted to this type (float32, like the safetensors reader); null keeps the file's type.</summary>
    public ScalarType? FloatType { get; init; } = ScalarType.Float32;
    /// <summary>Bounds for the restricted unpickler; defaults suit any real checkpoint.</summary>
    public PickleLimits? PickleLimits { get; init; }
    /// <summary>Bounds on the tensor bytes a file may declare; defaults fit the largest supported architecture.</summary>
    public CheckpointLimits? Limits { get; init; }
    /// <summary>
    /// Called with the declared tensor names, dtypes, shapes and sizes once the header or pickle is parsed and the
    /// size limit passed, before any tensor data is read or allocated. Throw to refuse the file (e.g. keys of no
    /// supported architecture): a file declaring gigabytes is then refused having cost only its pickle.
    /// </summary>
    public Action<CheckpointPlan>? Validate { get; init; }
}

/// <summary>
/// Entry point for reading any supported checkpoint file into a <see cref="StateDict"/>; the format is
/// detected from the file's bytes, never from its extension.
/// </summary>
public static class CheckpointLoader
{
    public enum Kind { SafeTensors, TorchZip, TorchScript, LegacyPickle, Unrecognised }

    /// <summary>What the file is, from its first bytes (and, for a zip, its entry names).</summary>
    public static Kind Detect(string path)
    {
        if (!File.Exists(path)) throw new CheckpointFormatException($"checkpoint not found: {path}");
        var head = new byte[16];
        int n;
        using (var s = File.OpenRead(path)) n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (SafeTensors.LooksLikeSafeTensors(head.AsSpan(0, n))) return Kind.SafeTensors;
        if (TorchLegacyCheckpoint.LooksLikeLegacy(head.AsSpan(0, n))) return Kind.LegacyPickle;
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
        {
            try
            {
                using var zip = ZipFile.OpenRead(path);
                var layout = TorchArchiveLayout.Find(zip, path);
                return layout is null ? Kind.Unrecognised : layout.IsTorchScript ? Kind.TorchScript : Kind.TorchZip;
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException and not FileNotFoundException)
            {
                throw new CheckpointFormatException($"{path}: starts like a zip archive but cannot be read as one (truncated?): {e.Message}", e);
            }
        }
        return Kind.Unrecognised;
    }

    public static StateDict Load(string path, CheckpointLoadOptions? options = null)
    {
        if (!File.Exists(path)) throw new CheckpointFormatException($"checkpoint not found: {path}");
        var len = new FileInfo(path).Length;
        if (len == 0) throw new CheckpointFormatException($"{path}: file is empty (0 bytes)");
        options ??= new CheckpointLoadOptions();
        var kind = Detect(path);
        try
        {
            return Read(path, kind, options);
        }
        catch (Exception e) when (e is OverflowException or DecoderFallbackException or ArgumentException or InvalidDataException
            or EndOfStreamException or FormatException or InvalidOperationException or IndexOutOfRangeException or KeyNotFoundException
            or IOException and not FileNotFoundException)
        {
            // The readers name what they refuse; this keeps any .NET error they did not foresee from escaping bare.
            throw new CheckpointFormatException($"{path}: cannot read this {kind} checkpoint ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static StateDict Read(string path, Kind kind, CheckpointLoadOptions options)
    {
        return kind switch
        {
            Kind.SafeTensors => SafeTensors.Load(path, options),
            Kind.TorchZip => TorchZipCheckpoint.Load(path, options),
            Kind.LegacyPickle => TorchLegacyCheckpoint.Load(path, options),
            Kind.TorchScript => throw new CheckpointFormatException(
                $"{path}: this is a TorchScript module (torch.jit.save), which is code, not a state dict; it can only be loaded as an encoder, with AllowTorchScript enabled (--allow-torchscript / Engine:AllowTorchScript)"),
            _ => throw new CheckpointFormatException(
                $"{path}: unrecognised checkpoint format (expected safetensors, a torch.save zip or legacy file, or a TorchScript module)"),
        };
    }
}
