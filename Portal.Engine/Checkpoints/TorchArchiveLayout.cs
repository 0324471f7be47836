using System.IO.Compression;

namespace Portal.Engine.Checkpoints;

/// <summary>
/// The entry layout of a PyTorch zip archive. <c>torch.save</c> writes <c>&lt;top&gt;/data.pkl</c>,
/// <c>&lt;top&gt;/data/&lt;key&gt;</c>, <c>&lt;top&gt;/version</c> (and <c>byteorder</c>); <c>torch.jit.save</c>
/// adds <c>constants.pkl</c> and <c>code/</c>. The top folder name varies by writer (archive/, the file stem…).
/// </summary>
internal sealed record TorchArchiveLayout(string Prefix, bool IsTorchScript, ZipArchiveEntry DataPkl)
{
    /// <param name="path">Names the file in the refusal of an archive with several data.pkl records.</param>
    public static TorchArchiveLayout? Find(ZipArchive zip, string? path = null)
    {
        var dataPkls = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
            && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length).ToList();
        if (dataPkls.Count == 0) return null;
        if (dataPkls.Count > 1)
            throw new CheckpointFormatException($"{(path is null ? "" : path + ": ")}zip holds {dataPkls.Count} data.pkl records ({string.Join(", ", dataPkls.Select(e => e.FullName))}); a checkpoint has one");
        var prefix = dataPkls[0].FullName[..^"data.pkl".Length];
        var script = zip.Entries.Any(e => e.FullName == prefix + "constants.pkl" || e.FullName.StartsWith(prefix + "code/", StringComparison.Ordinal));
        return new TorchArchiveLayout(prefix, script, dataPkls[0]);
    }

    public ZipArchiveEntry? Entry(ZipArchive zip, string relative) => zip.GetEntry(Prefix + relative);
}
