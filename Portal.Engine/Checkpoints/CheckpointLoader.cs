namespace Portal.Engine.Checkpoints;

/// <summary>Options for reading a checkpoint file into a state dict.</summary>
public sealed record CheckpointLoadOptions
{
    /// <summary>Checkpoint formats that are code (TorchScript) are refused unless the operator allows them.</summary>
    public bool AllowTorchScript { get; init; }
}

/// <summary>
/// Entry point for reading any supported checkpoint file into a <see cref="StateDict"/>; the format is
/// detected from the file's bytes, never from its extension.
/// </summary>
public static class CheckpointLoader
{
    public static StateDict Load(string path, CheckpointLoadOptions? options = null)
    {
        if (!File.Exists(path)) throw new CheckpointFormatException($"checkpoint not found: {path}");
        var len = new FileInfo(path).Length;
        if (len == 0) throw new CheckpointFormatException($"{path}: file is empty (0 bytes)");
        var head = new byte[16];
        using (var s = File.OpenRead(path)) s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (SafeTensors.LooksLikeSafeTensors(head)) return SafeTensors.Load(path);
        throw new CheckpointFormatException($"{path}: unrecognised checkpoint format");
    }
}
