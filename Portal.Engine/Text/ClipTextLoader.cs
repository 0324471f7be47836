using System.Text.RegularExpressions;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Text;

public sealed record ClipTextLoadOptions
{
    /// <summary>Attention heads (cannot be read from weights). Null: width/64, the rule of every released OpenCLIP text tower.</summary>
    public int? Heads { get; init; }
    /// <summary>QuickGELU instead of exact GELU (OpenAI and some LAION-400M tags; the same flag as the visual tower's).</summary>
    public bool QuickGelu { get; init; }
    /// <summary>Accept missing or unexpected text keys (they are still reported; missing tensors are zeros).</summary>
    public bool Force { get; init; }
    public bool AllowTorchScript { get; init; }
    public Device? Device { get; init; }
    public ScalarType DType { get; init; } = ScalarType.Float32;
}

/// <summary>A loaded text tower with what binding it found.</summary>
public sealed class ClipTextEncoder(ClipTextTower tower, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, string source) : IDisposable
{
    public ClipTextTower Tower { get; } = tower;
    public ClipTextSpec Spec => Tower.Spec;
    public IReadOnlyList<string> MissingKeys { get; } = missing;
    public IReadOnlyList<string> UnexpectedKeys { get; } = unexpected;
    public string Source { get; } = source;

    /// <summary>N×context token ids → N×embed text embeddings (not normalised), without gradients.</summary>
    public Tensor Encode(Tensor tokens)
    {
        using var noGrad = torch.no_grad();
        return Tower.Encode(tokens);
    }

    public void Dispose() => Tower.Dispose();
}

/// <summary>
/// Loads the text tower of a whole OpenCLIP checkpoint: every key outside `visual.` (after a `module.` wrapper is
/// stripped), except the contrastive scalars `logit_scale`/`logit_bias`, must be a tower parameter and vice versa.
/// Visual-only checkpoints (the robust FARE/TeCoA files) have no text tower and are refused with that reason.
/// </summary>
public static partial class ClipTextLoader
{
    private static readonly HashSet<string> NotTower = new(StringComparer.Ordinal) { "logit_scale", "logit_bias" };
    private const int ListedInError = 5;

    public static ClipTextEncoder Load(string path, ClipTextLoadOptions? options = null)
    {
        options ??= new ClipTextLoadOptions();
        using var sd = CheckpointLoader.Load(path, new CheckpointLoadOptions { AllowTorchScript = options.AllowTorchScript });
        return Load(sd, options, Path.GetFileName(path));
    }

    public static ClipTextEncoder Load(StateDict sd, ClipTextLoadOptions options, string source)
    {
        string wrapper = sd.Count > 0 && sd.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal)) ? "module." : "";
        var text = sd.Keys
            .Where(k => !k.StartsWith(wrapper + "visual.", StringComparison.Ordinal))
            .Select(k => k[wrapper.Length..])
            .Where(k => !NotTower.Contains(k))
            .ToDictionary(k => k, k => sd[wrapper + k].shape, StringComparer.Ordinal);
        if (!text.ContainsKey("token_embedding.weight"))
            throw new EncoderLoadException($"{source} has no text tower ('{wrapper}token_embedding.weight' is absent): " +
                "text inversion needs a whole OpenCLIP checkpoint (visual-only files such as the FARE/TeCoA ones carry the image tower only)");

        var spec = Detect(text, options, source);
        var place = new TensorPlace(options.Device ?? CPU, options.DType);
        var tower = new ClipTextTower(spec, place);
        try
        {
            var parameters = tower.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            var missing = parameters.Keys.Where(k => !text.ContainsKey(k)).Select(k => wrapper + k).ToList();
            var unexpected = text.Keys.Where(k => !parameters.ContainsKey(k)).Select(k => wrapper + k).ToList();
            var wrongShape = parameters.Where(p => text.TryGetValue(p.Key, out var s) && !s.SequenceEqual(p.Value.shape))
                .Select(p => $"{wrapper}{p.Key} is [{string.Join(",", text[p.Key])}] but the tower needs [{string.Join(",", p.Value.shape)}]").ToList();
            if (wrongShape.Count > 0)
                throw new EncoderLoadException($"{source}: {wrongShape.Count} text tensor(s) have the wrong shape: {string.Join("; ", wrongShape.Take(ListedInError))}");
            if (!options.Force && (missing.Count > 0 || unexpected.Count > 0))
            {
                var parts = new List<string>();
                if (missing.Count > 0) parts.Add($"{missing.Count} missing key(s): {List(missing)}");
                if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected key(s): {List(unexpected)}");
                throw new EncoderLoadException($"{source}: text tower does not match ({string.Join("; ", parts)}). Use --force to load it anyway.");
            }
            using (torch.no_grad())
                foreach (var (name, p) in parameters)
                {
                    if (text.ContainsKey(name)) p.copy_(sd[wrapper + name]);
                    else p.zero_();
                }
            tower.eval();
            foreach (var p in tower.parameters()) p.requires_grad = false;
            return new ClipTextEncoder(tower, missing, unexpected, source);
        }
        catch
        {
            tower.Dispose();
            throw;
        }
    }

    private static ClipTextSpec Detect(Dictionary<string, long[]> text, ClipTextLoadOptions o, string source)
    {
        long[] Shape(string key) => text.TryGetValue(key, out var s) ? s
            : throw new EncoderLoadException($"{source}: text tower has no '{key}', needed to size it");
        var emb = Shape("token_embedding.weight");
        int vocab = (int)emb[0], width = (int)emb[1];
        int context = (int)Shape("positional_embedding")[0];
        int embed = (int)Shape("text_projection")[1];
        int layers = text.Keys.Select(k => ResblockRegex().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(-1).Max() + 1;
        if (layers == 0) throw new EncoderLoadException($"{source}: no text 'transformer.resblocks.N' keys found");
        int hidden = (int)Shape("transformer.resblocks.0.mlp.c_fc.weight")[0];
        int heads = o.Heads ?? (width % 64 == 0 ? width / 64
            : throw new EncoderLoadException($"{source}: cannot infer the text tower's attention heads for width {width} (released towers use 64-dim heads); give --text-heads N"));
        if (heads < 1 || width % heads != 0) throw new EncoderLoadException($"{source}: {heads} text heads do not divide width {width}");
        return new ClipTextSpec(vocab, context, width, layers, heads, hidden, embed, o.QuickGelu);
    }

    private static string List(List<string> keys) =>
        string.Join(", ", keys.Take(ListedInError)) + (keys.Count > ListedInError ? $", … ({keys.Count - ListedInError} more)" : "");

    [GeneratedRegex(@"^transformer\.resblocks\.(\d+)\.")] private static partial Regex ResblockRegex();
}
