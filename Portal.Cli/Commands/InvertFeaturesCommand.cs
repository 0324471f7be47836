using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Portal.Engine.Inversion;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal invert features --checkpoint F --images DIR --out DIR [--seeds 3] [--iters 500] [--radius 100]`: reconstructs
/// every image of DIR from its embedding alone (paper Eq. 9) and writes targets/, inversions/ and index.json.
/// </summary>
public sealed class InvertFeaturesCommand : ICommand
{
    public string[] Path => ["invert", "features"];
    public string Summary => "feature inversion: reconstruct images from their embeddings (PNG + index.json)";
    public IReadOnlySet<string> Flags => InvertOptions.Flags;

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoint = args.Required("checkpoint");
        var folder = args.Required("images");
        var output = args.Required("out");
        var settings = InvertOptions.Settings(args);
        var load = InvertOptions.Encoder(args);
        var quiet = args.Flag("quiet");
        args.EnsureAllUsed();

        var started = DateTime.UtcNow;
        var images = InvertOptions.Images(folder);
        try
        {
            using var encoder = EncoderLoader.Load(checkpoint, load);
            using var scope = torch.NewDisposeScope();
            // The target is the image as the encoder sees it (resized and cropped by its recipe).
            var seen = images.Select(x => Resize.Apply(x.Image.unsqueeze(0), encoder.Info.Preprocessing)[0]).ToList();
            var targets = FeatureInversion.Embed(encoder, torch.stack(seen, 0));
            var results = FeatureInversion.Run(encoder, targets, settings, InvertOptions.Reporter(quiet, "invert features"), ct);
            try
            {
                var entries = images.Select(x => new InversionTargetEntry(x.Id) { Source = x.File }).ToList();
                var index = InversionIndexWriter.Write(output, "features", InvertOptions.Entry(System.IO.Path.GetFileNameWithoutExtension(checkpoint), checkpoint, encoder),
                    settings, entries, seen, results, (DateTime.UtcNow - started).TotalSeconds);
                JsonOut.Write(new
                {
                    output = System.IO.Path.GetFullPath(System.IO.Path.Combine(output, InversionIndex.FileName)),
                    targets = images.Count,
                    runs = results.Count,
                    mean_start_cosine = results.Average(r => r.StartCosine),
                    mean_final_cosine = results.Average(r => r.FinalCosine),
                    max_delta_l2 = results.Max(r => r.DeltaL2),
                    wall_seconds = index.WallSeconds,
                });
            }
            finally { results.ForEach(r => r.Dispose()); }
        }
        finally { images.ForEach(x => x.Image.Dispose()); }
        return Task.FromResult(0);
    }
}
