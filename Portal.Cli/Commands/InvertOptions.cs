using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Portal.Engine.Inversion;
using Portal.Engine.Runtime;
using static TorchSharp.torch;

namespace Portal.Cli.Commands;

/// <summary>What the three `portal invert …` commands share: protocol options, encoder loading, reference images, progress.</summary>
internal static class InvertOptions
{
    public static readonly HashSet<string> Flags = ["allow-torchscript", "force", "quiet", "quickgelu"];

    public static InversionSettings Settings(CliArgs args)
    {
        var seedCount = args.Int("seeds", 3);
        if (seedCount < 1) throw new CliException("--seeds must be at least 1");
        var s = new InversionSettings
        {
            Seeds = Enumerable.Range(args.Int("first-seed", 0), seedCount).ToList(),
            Iterations = args.Int("iters", 500),
            Radius = args.Double("radius", 100),
            BatchSize = args.Int("batch", 4),
        };
        try { s.Validate(); }
        catch (ArgumentException e) { throw new CliException(e.Message); }
        return s;
    }

    public static EncoderLoadOptions Encoder(CliArgs args) => new()
    {
        Architecture = args.Get("arch"),
        AllowTorchScript = args.Flag("allow-torchscript"),
        Force = args.Flag("force"),
        Device = Devices.Parse(args.Get("device")),
    };

    /// <summary>The index entry of a checkpoint file (hashes the file: call once per checkpoint).</summary>
    public static InversionEncoderEntry Entry(string name, string checkpoint, IImageEncoder enc) =>
        InversionIndexWriter.EntryFor(name, System.IO.Path.GetFileName(checkpoint), FileHash.Sha256(checkpoint), enc);

    /// <summary>The images of a folder, sorted by file name, with file-safe unique ids.</summary>
    public static List<(string Id, string File, Tensor Image)> Images(string folder)
    {
        if (!Directory.Exists(folder)) throw new CliException($"image folder not found: {folder}");
        var files = Directory.EnumerateFiles(folder).Where(ImageIO.IsImageFile).OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new CliException($"no images (png, jpg, bmp, webp, gif) in {folder}");
        var ids = InversionIndex.Ids(files.Select(System.IO.Path.GetFileNameWithoutExtension)!);
        return files.Select((f, i) => (ids[i], System.IO.Path.GetFileName(f), ImageIO.Load(f))).ToList();
    }

    /// <summary>A progress line on stderr every 50 iterations (stdout stays the JSON result).</summary>
    public static Action<InversionProgress>? Reporter(bool quiet, string label) => quiet ? null : p =>
    {
        if (p.Iteration % 50 == 0)
            Console.Error.WriteLine($"{label}: runs {p.RunsDone}/{p.RunsTotal} done, iteration {p.Iteration}/{p.Iterations}");
    };
}
