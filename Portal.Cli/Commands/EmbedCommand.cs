using System.Text.Json;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Portal.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal embed --checkpoint F --input X --output Y.safetensors`: embeddings (N×D float32, not normalised) of a
/// folder of images (sorted by file name) or of the `images` tensor of a safetensors file.
/// </summary>
public sealed class EmbedCommand : ICommand
{
    public string[] Path => ["embed"];
    public string Summary => "embed a folder of images or an images tensor into a safetensors file";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "as-is", "allow-torchscript", "force" };

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoint = args.Required("checkpoint");
        var input = args.Required("input");
        var output = args.Required("output");
        var asIs = args.Flag("as-is");
        var batch = args.Int("batch", 16);
        var device = Devices.Parse(args.Get("device"));
        var options = EncoderArgs.Read(args, device);
        args.EnsureAllUsed();
        if (batch < 1) throw new CliException("--batch must be at least 1");

        var started = DateTime.UtcNow;
        using var encoder = EncoderLoader.Load(checkpoint, options);
        var source = ImageSource.Open(input);
        var rows = new List<Tensor>();
        try
        {
            for (int start = 0; start < source.Count; start += batch)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var pixels = source.Batch(start, Math.Min(batch, source.Count - start), asIs ? null : encoder.Info.Preprocessing);
                using (torch.no_grad())
                    rows.Add(encoder.Forward(pixels.to(device)).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope());
            }
            using var all = rows.Count > 0 ? torch.cat(rows, 0) : torch.zeros(0, encoder.Info.EmbeddingDim);
            var meta = new Dictionary<string, string>
            {
                ["checkpoint_sha256"] = FileHash.Sha256(checkpoint),
                ["architecture"] = encoder.Info.Architecture,
                ["as_is"] = asIs ? "true" : "false",
            };
            if (source.Names != null) meta["files"] = JsonSerializer.Serialize(source.Names);
            SafeTensors.Save(output, [new("embeddings", all)], meta);
            JsonOut.Write(new
            {
                output = System.IO.Path.GetFullPath(output),
                n = all.shape[0],
                embedding_dim = all.shape.Length > 1 ? all.shape[1] : 0,
                architecture = encoder.Info.Architecture,
                as_is = asIs,
                device = device.ToString(),
                wall_seconds = (DateTime.UtcNow - started).TotalSeconds,
            });
        }
        finally
        {
            foreach (var r in rows) r.Dispose();
            source.Dispose();
        }
        return Task.FromResult(0);
    }

    /// <summary>Images from a folder (decoded lazily per batch) or from an in-memory N×3×H×W tensor.</summary>
    private sealed class ImageSource : IDisposable
    {
        private readonly List<string>? _files;
        private readonly Tensor? _images;
        public IReadOnlyList<string>? Names => _files?.Select(System.IO.Path.GetFileName).ToList()!;
        public int Count => _files?.Count ?? (int)_images!.shape[0];

        private ImageSource(List<string>? files, Tensor? images) { _files = files; _images = images; }

        public static ImageSource Open(string input)
        {
            if (Directory.Exists(input))
            {
                var files = Directory.EnumerateFiles(input).Where(ImageIO.IsImageFile).OrderBy(f => f, StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new CliException($"no images (png, jpg, bmp, webp, gif) in {input}");
                return new ImageSource(files, null);
            }
            if (!File.Exists(input)) throw new CliException($"input not found: {input}");
            using var sd = SafeTensors.Load(input);
            if (!sd.TryGet("images", out var images)) throw new CliException($"{input} has no tensor named 'images'");
            if (images.dim() != 4 || images.shape[1] != 3) throw new CliException($"{input}: 'images' must be N×3×H×W, got [{string.Join(",", images.shape)}]");
            var min = images.min().item<float>(); var max = images.max().item<float>();
            if (min < 0 || max > 1) throw new CliException($"{input}: 'images' must lie in [0,1], found [{min}, {max}]");
            return new ImageSource(null, images.clone());
        }

        /// <summary>Pixels for [start, start+count), preprocessed by the recipe unless it is null (as-is).</summary>
        public Tensor Batch(int start, int count, Preprocessing? recipe)
        {
            if (_images is not null)
            {
                var x = _images[TensorIndex.Slice(start, start + count)];
                return recipe is null ? x : Resize.Apply(x, recipe);
            }
            var list = new List<Tensor>();
            foreach (var f in _files!.Skip(start).Take(count))
            {
                var img = ImageIO.Load(f).unsqueeze(0);
                list.Add(recipe is null ? img : Resize.Apply(img, recipe));
            }
            if (recipe is null && list.Select(t => (t.shape[2], t.shape[3])).Distinct().Count() > 1)
                throw new CliException("--as-is needs images of one size within a batch; use --batch 1 or drop --as-is");
            return torch.cat(list, 0);
        }

        public void Dispose() => _images?.Dispose();
    }
}
