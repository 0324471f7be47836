using Portal.Engine.Encoders;
using Portal.Engine.Inversion;
using Portal.Engine.Text;
using TorchSharp;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal invert text --checkpoint F --vocab FILE --prompt "…" [--prompt …] --out DIR`: the image whose embedding is
/// closest to each prompt's CLIP text embedding (paper Eq. 10), from the same checkpoint's text tower.
/// </summary>
public sealed class InvertTextCommand : ICommand
{
    public string[] Path => ["invert", "text"];
    public string Summary => "text inversion: images that the encoder matches to prompts (PNG + index.json)";
    public IReadOnlySet<string> Flags => InvertOptions.Flags;

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var checkpoint = args.Required("checkpoint");
        var vocab = args.Required("vocab");
        var prompts = args.All("prompt");
        var output = args.Required("out");
        var settings = InvertOptions.Settings(args);
        var load = InvertOptions.Encoder(args);
        var heads = args.Get("text-heads");
        var quick = args.Flag("quickgelu");
        var quiet = args.Flag("quiet");
        args.EnsureAllUsed();
        if (prompts.Count == 0) throw new CliException("give at least one --prompt \"…\"");
        if (prompts.Any(string.IsNullOrWhiteSpace)) throw new CliException("a --prompt is empty");
        int? textHeads = heads is null ? null : int.TryParse(heads, out var h) && h > 0 ? h : throw new CliException($"--text-heads expects a positive integer, got '{heads}'");

        var started = DateTime.UtcNow;
        ClipTokenizer tokenizer;
        try { tokenizer = ClipTokenizer.Load(vocab); }
        catch (Exception e) when (e is FormatException or FileNotFoundException) { throw new CliException(e.Message); }
        using var encoder = EncoderLoader.Load(checkpoint, load);
        using var text = ClipTextLoader.Load(checkpoint, new ClipTextLoadOptions
        {
            Heads = textHeads, QuickGelu = quick, Force = load.Force, AllowTorchScript = load.AllowTorchScript, Device = load.Device,
        });
        if (text.Spec.EmbedDim != encoder.Info.EmbeddingDim)
            throw new CliException($"{checkpoint}: text embeddings have {text.Spec.EmbedDim} dimensions but image embeddings {encoder.Info.EmbeddingDim} (not one CLIP model?)");
        if (tokenizer.Vocabulary.Count > text.Spec.VocabSize)
            throw new CliException($"{vocab} has {tokenizer.Vocabulary.Count} tokens but the text tower only {text.Spec.VocabSize}: wrong vocabulary for this checkpoint");
        var tokenized = prompts.Select(tokenizer.Tokenize).ToList();
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(tokenized.SelectMany(t => t.Ids.Select(i => (long)i)).ToArray(), torch.ScalarType.Int64).reshape(prompts.Count, tokenizer.ContextLength);
        var targets = text.Encode(ids);
        var results = FeatureInversion.Run(encoder, targets, settings, InvertOptions.Reporter(quiet, "invert text"), ct);
        try
        {
            var idList = InversionIndex.Ids(prompts.Select((p, i) => $"prompt{i}-{p}"));
            var entries = tokenized.Select((t, i) => new InversionTargetEntry(idList[i])
            {
                Prompt = t.Text, Cleaned = t.Cleaned, TokenCount = t.TokenCount, Truncated = t.Truncated,
            }).ToList();
            var index = InversionIndexWriter.Write(output, "text", InvertOptions.Entry(System.IO.Path.GetFileNameWithoutExtension(checkpoint), checkpoint, encoder),
                settings, entries, null, results, (DateTime.UtcNow - started).TotalSeconds);
            JsonOut.Write(new
            {
                output = System.IO.Path.GetFullPath(System.IO.Path.Combine(output, InversionIndex.FileName)),
                prompts = prompts.Count,
                truncated = tokenized.Count(t => t.Truncated),
                runs = results.Count,
                mean_start_cosine = results.Average(r => r.StartCosine),
                mean_final_cosine = results.Average(r => r.FinalCosine),
                max_delta_l2 = results.Max(r => r.DeltaL2),
                wall_seconds = index.WallSeconds,
            });
        }
        finally { results.ForEach(r => r.Dispose()); }
        return Task.FromResult(0);
    }
}
