namespace Portal.Web.Configuration;

/// <summary>Where the portal keeps its files, all under one data folder.</summary>
public sealed class DataPaths
{
    public DataPaths(string root)
    {
        Root = Path.GetFullPath(root);
        foreach (var d in new[] { Root, Checkpoints, Uploads, Datasets, Artifacts }) Directory.CreateDirectory(d);
    }

    public string Root { get; }
    public string Database => Path.Combine(Root, Portal.Data.DataFolder.DatabaseFileName);
    /// <summary>Uploaded checkpoints, one file per sha256.</summary>
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    /// <summary>Uploads in progress (temp files of single uploads, .part files of resumable ones).</summary>
    public string Uploads => Path.Combine(Root, "uploads");
    public string Datasets => Path.Combine(Root, "datasets");
    public string Artifacts => Path.Combine(Root, "artifacts");

    public string CheckpointFor(string sha256) => Path.Combine(Checkpoints, sha256 + ".ckpt");
    /// <summary>Fine-tuned variants' MLP heads and LoRA adapters, one folder per variant (named by its sha256).</summary>
    public string AdaptersFor(string variantSha256) => Path.Combine(Checkpoints, "adapters", variantSha256);

    /// <summary>Resolves DataRoot: absolute as given, relative against the folder holding the root appsettings.json.</summary>
    public static DataPaths From(PortalOptions options, string baseDirectory) =>
        new(Portal.Data.DataFolder.Resolve(options.DataRoot, baseDirectory));
}
