using System.Text.Json;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Portal.Engine.Inversion;
using TorchSharp;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal invert table --checkpoint F --checkpoint G … --images DIR --out DIR`: the paper's Table VII — reconstruct
/// each image with each encoder and score every reconstruction with every encoder. Writes table.json and one
/// feature-inversion gallery per encoder (&lt;out&gt;/&lt;encoder&gt;/index.json).
/// </summary>
public sealed class InvertTableCommand : ICommand
{
    public string[] Path => ["invert", "table"];
    public string Summary => "cross-encoder inversion table (paper Table VII) as JSON + galleries";
    public IReadOnlySet<string> Flags => InvertOptions.Flags;

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoints = args.All("checkpoint");
        var folder = args.Required("images");
        var output = args.Required("out");
        var settings = InvertOptions.Settings(args);
        var load = InvertOptions.Encoder(args);
        var quiet = args.Flag("quiet");
        args.EnsureAllUsed();
        if (checkpoints.Count == 0) throw new CliException("give at least one --checkpoint (repeat it for each encoder)");

        var started = DateTime.UtcNow;
        var names = InversionIndex.Ids(checkpoints.Select(System.IO.Path.GetFileNameWithoutExtension)!);
        var images = InvertOptions.Images(folder);
        var encoders = new List<(string, IImageEncoder)>();
        try
        {
            for (int i = 0; i < checkpoints.Count; i++) encoders.Add((names[i], EncoderLoader.Load(checkpoints[i], load)));
            using var table = InversionTable.Compute(encoders, images.Select(x => (x.Id, x.Image)).ToList(), settings,
                (row, p) => InvertOptions.Reporter(quiet, $"invert table [{names[row]}]")?.Invoke(p), ct);
            var galleries = new Dictionary<string, string>();
            // One sha256 per checkpoint (multi-GB files): shared by the galleries and table.json.
            var entries = encoders.Select((e, i) => InvertOptions.Entry(names[i], checkpoints[i], e.Item2)).ToList();
            for (int i = 0; i < encoders.Count; i++)
            {
                var enc = encoders[i].Item2;
                using var scope = torch.NewDisposeScope();
                var seen = images.Select(x => Resize.Apply(x.Image.unsqueeze(0), enc.Info.Preprocessing)[0]).ToList();
                var targets = images.Select(x => new InversionTargetEntry(x.Id) { Source = x.File }).ToList();
                InversionIndexWriter.Write(System.IO.Path.Combine(output, names[i]), "features", entries[i], settings,
                    targets, seen, table.Reconstructions[i], (DateTime.UtcNow - started).TotalSeconds);
                galleries[names[i]] = $"{names[i]}/{InversionIndex.FileName}";
            }
            var doc = new
            {
                kind = "table",
                format_version = InversionIndex.CurrentFormat,
                created_utc = DateTime.UtcNow,
                rows = "reconstructed with",
                columns = "scored by: cos(encoder(reconstruction), encoder(original))",
                encoders = entries,
                images = images.Select(x => new { id = x.Id, source = x.File }).ToList(),
                settings = InversionSettingsEntry.From(settings),
                matrix = table.Mean,
                per_image = table.PerImage,
                galleries,
                wall_seconds = (DateTime.UtcNow - started).TotalSeconds,
            };
            Directory.CreateDirectory(output);
            var path = System.IO.Path.Combine(output, "table.json");
            File.WriteAllText(path, JsonSerializer.Serialize(doc, InversionIndex.Json));
            JsonOut.Write(new { output = System.IO.Path.GetFullPath(path), encoders = names, images = images.Count, matrix = table.Mean, wall_seconds = doc.wall_seconds });
        }
        finally
        {
            foreach (var (_, e) in encoders) e.Dispose();
            images.ForEach(x => x.Image.Dispose());
        }
        return Task.FromResult(0);
    }
}
